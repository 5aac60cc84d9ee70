with

ranked as (

    select * from {{ ref('int_partner_annual_totals_ranked') }}

),

countries as (

    select * from {{ ref('countries') }}

),

final as (

    select
        ranked.year,
        ranked.partner_census_code,
        countries.iso3 as partner_iso3,
        ranked.partner_name,
        cast(ranked.us_exports_usd as decimal(18, 0)) as us_exports_usd,
        cast(ranked.us_imports_usd as decimal(18, 0)) as us_imports_usd,
        cast(ranked.total_trade_usd as decimal(18, 0)) as total_trade_usd,
        ranked.rank_by_total,
        round(ranked.total_trade_usd / ranked.world_total_trade_usd * 100, 4)
            as share_of_us_total_pct,
        ranked.vintage
    from ranked
    left join countries on ranked.partner_census_code = countries.census_code

)

select * from final
order by year, rank_by_total
