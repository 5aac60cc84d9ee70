with

deals as (

    select * from {{ ref('deals') }}

),

paired as (

    select
        *,
        -- one pair whichever side the register names first; unilateral items stand alone
        least(country_a_iso3, coalesce(country_b_iso3, country_a_iso3)) as first_country_iso3,
        case
            when country_b_iso3 is not null
                then greatest(country_a_iso3, country_b_iso3)
        end as second_country_iso3
    from deals

),

aggregated as (

    select
        first_country_iso3 || coalesce('-' || second_country_iso3, '') as country_pair,
        first_country_iso3,
        second_country_iso3,
        sector,
        status,
        count(*) as deal_count,
        count(value_usd) filter (where not is_value_recurring) as valued_deal_count,
        -- one-off totals only (contract totals, list prices, estimates): yearly figures
        -- such as the $100bn goal or a per-year contract value are counted, never summed
        cast(sum(value_usd) filter (where not is_value_recurring) as decimal(18, 0))
            as disclosed_value_usd,
        cast(
            sum(value_usd) filter (where not is_value_recurring and is_value_estimate)
            as decimal(18, 0)
        ) as estimated_value_usd,
        count(value_usd) filter (where is_value_recurring) as yearly_value_deal_count
    from paired
    group by first_country_iso3, second_country_iso3, sector, status

)

select * from aggregated
order by country_pair, sector, status
