-- USA Trade Online NAICS rows of the newest download per year and flow: every partner's
-- value in each code, ranked among partner countries, beside the world's value in the code
-- and the partner's all-commodities total.
with

flows as (

    select * from {{ ref('int_usatradeonline_flows_coded') }}
    where is_newest_vintage and commodity_system = 'NAICS'

),

codes as (

    select * from flows
    where not is_all_commodities

),

world_codes as (

    select
        year,
        flow,
        commodity_code,
        value_usd as us_world_value_usd
    from codes
    where is_world

),

partner_totals as (

    select
        year,
        flow,
        partner_name,
        value_usd as partner_flow_total_usd
    from flows
    where is_all_commodities

),

ranked as (

    select
        *,
        rank() over (
            partition by year, flow, commodity_code
            order by value_usd desc
        ) as rank_among_partners,
        count(*) over (partition by year, flow, commodity_code) as partners_in_code
    from codes
    where is_country

),

final as (

    select
        ranked.year,
        ranked.period,
        ranked.is_partial_period,
        ranked.through_month,
        ranked.flow,
        ranked.valuation,
        ranked.commodity_code as naics_code,
        ranked.commodity_name as naics_description,
        ranked.partner_census_code,
        ranked.partner_name,
        ranked.value_usd,
        partner_totals.partner_flow_total_usd,
        world_codes.us_world_value_usd,
        ranked.rank_among_partners,
        ranked.partners_in_code,
        ranked.vintage
    from ranked
    inner join partner_totals
        on
            ranked.year = partner_totals.year
            and ranked.flow = partner_totals.flow
            and ranked.partner_name = partner_totals.partner_name
    left join world_codes
        on
            ranked.year = world_codes.year
            and ranked.flow = world_codes.flow
            and ranked.commodity_code = world_codes.commodity_code

)

select * from final
