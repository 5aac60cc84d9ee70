with

partner_flows as (

    select * from {{ ref('int_naics_partner_flows_ranked') }}

),

turkey_flows as (

    select * from partner_flows
    where partner_census_code = '{{ var("turkey_census_code") }}'

),

final as (

    select
        this_year.year,
        this_year.period,
        this_year.is_partial_period,
        this_year.through_month,
        this_year.flow,
        this_year.naics_code,
        this_year.naics_description,
        cast(this_year.value_usd as decimal(18, 0)) as value_usd,
        round(this_year.value_usd / nullif(this_year.partner_flow_total_usd, 0) * 100, 4)
            as share_of_flow_pct,
        -- a partial period is never compared with a full year, nor a year with one
        cast(prior_year.value_usd as decimal(18, 0)) as prior_year_value_usd,
        cast(this_year.value_usd - prior_year.value_usd as decimal(18, 0)) as change_usd,
        round((this_year.value_usd / nullif(prior_year.value_usd, 0) - 1) * 100, 4)
            as yoy_pct,
        cast(this_year.us_world_value_usd as decimal(18, 0)) as us_world_value_usd,
        round(this_year.value_usd / nullif(this_year.us_world_value_usd, 0) * 100, 4)
            as turkey_share_of_us_world_pct,
        this_year.rank_among_partners as turkey_rank_among_partners,
        this_year.partners_in_code,
        this_year.valuation,
        'usatradeonline' as source,
        this_year.vintage
    from turkey_flows as this_year
    left join turkey_flows as prior_year
        on
            this_year.flow = prior_year.flow
            and this_year.naics_code = prior_year.naics_code
            and prior_year.year = this_year.year - 1
            and not this_year.is_partial_period
            and not prior_year.is_partial_period

)

select * from final
order by year, flow, naics_code
