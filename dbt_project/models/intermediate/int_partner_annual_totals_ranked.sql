-- Ranks need every partner from the same release: take, per year, the newest vintage that
-- covers all partners (the Turkey-only derived series does not) and the whole year.
with

annual_totals as (

    select * from {{ ref('stg_census_country__annual_totals') }}

),

all_partner_vintages as (

    select vintage
    from annual_totals
    group by vintage
    having count(distinct partner_census_code) > 100

),

complete_year_vintages as (

    select
        annual_totals.year,
        max(annual_totals.vintage) as vintage
    from annual_totals
    inner join all_partner_vintages
        on annual_totals.vintage = all_partner_vintages.vintage
    where annual_totals.vintage_month >= make_date(annual_totals.year, 12, 1)
    group by annual_totals.year

),

selected as (

    select annual_totals.*
    from annual_totals
    inner join complete_year_vintages
        on
            annual_totals.year = complete_year_vintages.year
            and annual_totals.vintage = complete_year_vintages.vintage

),

pivoted as (

    select
        year,
        vintage,
        partner_census_code,
        any_value(partner_name) as partner_name,
        any_value(is_country) as is_country,
        sum(value_usd) filter (where flow = 'export') as us_exports_usd,
        sum(value_usd) filter (where flow = 'import') as us_imports_usd
    from selected
    group by year, vintage, partner_census_code

),

world as (

    select
        year,
        us_exports_usd + us_imports_usd as world_total_trade_usd
    from pivoted
    where partner_census_code = '{{ var("world_census_code") }}'

),

ranked as (

    select
        pivoted.year,
        pivoted.vintage,
        pivoted.partner_census_code,
        pivoted.partner_name,
        pivoted.us_exports_usd,
        pivoted.us_imports_usd,
        pivoted.us_exports_usd + pivoted.us_imports_usd as total_trade_usd,
        world.world_total_trade_usd,
        rank() over (
            partition by pivoted.year
            order by pivoted.us_exports_usd + pivoted.us_imports_usd desc
        ) as rank_by_total
    from pivoted
    inner join world on pivoted.year = world.year
    where pivoted.is_country

)

select * from ranked
