with

ranked as (

    select * from {{ ref('int_partner_annual_totals_ranked') }}

),

countries as (

    select * from {{ ref('countries') }}

),

workbook_totals as (

    select * from {{ ref('stg_census_country__annual_totals') }}

),

-- releases spell names differently (TURKEY, Turkey): the newest workbook's name for the
-- code, else the release's own
workbook_names as (

    select
        partner_census_code,
        partner_name
    from workbook_totals
    where not is_rounded
    qualify row_number() over (
        partition by partner_census_code
        order by vintage_month desc
    ) = 1

),

final as (

    select
        ranked.year,
        ranked.partner_census_code,
        countries.iso3 as partner_iso3,
        coalesce(workbook_names.partner_name, ranked.partner_name) as partner_name,
        cast(ranked.us_exports_usd as decimal(18, 0)) as us_exports_usd,
        cast(ranked.us_imports_usd as decimal(18, 0)) as us_imports_usd,
        cast(ranked.total_trade_usd as decimal(18, 0)) as total_trade_usd,
        ranked.rank_by_total,
        round(ranked.total_trade_usd / ranked.world_total_trade_usd * 100, 4)
            as share_of_us_total_pct,
        ranked.source,
        ranked.vintage
    from ranked
    left join countries on ranked.partner_census_code = countries.census_code
    left join workbook_names
        on ranked.partner_census_code = workbook_names.partner_census_code

)

select * from final
order by year, rank_by_total
