-- Ranks need every partner from the same release: take, per year, the newest release (by
-- the date it reflects) that covers all partners (the Turkey-only derived series does not)
-- in both flows for the whole year. Groupings and the world are never ranked.
with

annual_totals as (

    select * from {{ ref('int_partner_annual_totals_unioned') }}

),

all_partner_releases as (

    select
        source,
        vintage,
        year,
        any_value(release_date) as release_date
    from annual_totals
    group by source, vintage, year
    having
        count(distinct partner_census_code) filter (where is_country) > 100
        and count(distinct flow) filter (where is_world) = 2

),

newest_releases as (

    select *
    from all_partner_releases
    qualify row_number() over (
        partition by year
        order by release_date desc, source asc
    ) = 1

),

selected as (

    select annual_totals.*
    from annual_totals
    inner join newest_releases
        on
            annual_totals.source = newest_releases.source
            and annual_totals.vintage = newest_releases.vintage
            and annual_totals.year = newest_releases.year

),

pivoted as (

    select
        year,
        source,
        vintage,
        partner_census_code,
        any_value(partner_name) as partner_name,
        any_value(is_country) as is_country,
        any_value(is_world) as is_world,
        sum(value_usd) filter (where flow = 'export') as us_exports_usd,
        sum(value_usd) filter (where flow = 'import') as us_imports_usd
    from selected
    group by year, source, vintage, partner_census_code

),

world as (

    select
        year,
        us_exports_usd + us_imports_usd as world_total_trade_usd
    from pivoted
    where is_world

),

ranked as (

    select
        pivoted.year,
        pivoted.source,
        pivoted.vintage,
        pivoted.partner_census_code,
        pivoted.partner_name,
        pivoted.us_exports_usd,
        pivoted.us_imports_usd,
        -- a partner absent from one flow had no recorded trade in it
        coalesce(pivoted.us_exports_usd, 0) + coalesce(pivoted.us_imports_usd, 0)
            as total_trade_usd,
        world.world_total_trade_usd,
        rank() over (
            partition by pivoted.year
            order by coalesce(pivoted.us_exports_usd, 0) + coalesce(pivoted.us_imports_usd, 0) desc
        ) as rank_by_total
    from pivoted
    inner join world on pivoted.year = world.year
    where pivoted.is_country

)

select * from ranked
