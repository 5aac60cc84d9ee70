-- Every all-partner release's annual totals, one row per source, vintage, year, partner and
-- flow, with the date the release reflects: census-country workbooks (their own annual
-- columns, complete years only), saved census-hs answers (twelve months summed) and USA
-- Trade Online downloads (full years, All Commodities). The world row is kept as such.
with

workbook_totals as (

    select * from {{ ref('stg_census_country__annual_totals') }}

),

api_totals as (

    select * from {{ ref('stg_census_hs__country_totals') }}

),

usatradeonline_flows as (

    select * from {{ ref('int_usatradeonline_flows_coded') }}
    where is_all_commodities and not is_partial_period

),

workbook_years as (

    select
        'census-country' as source,
        vintage,
        vintage_month as release_date,
        year,
        partner_census_code,
        partner_name,
        flow,
        value_usd,
        is_country,
        partner_census_code = '{{ var("world_census_code") }}' as is_world
    from workbook_totals
    where vintage_month >= make_date(year, 12, 1)

),

api_months_summed as (

    select
        vintage,
        any_value(retrieved_date) as release_date,
        year(month_date) as year,
        partner_census_code,
        any_value(partner_name) as partner_name,
        flow,
        sum(value_usd) as value_usd,
        any_value(is_country) as is_country,
        any_value(is_world) as is_world
    from api_totals
    group by vintage, year(month_date), partner_census_code, flow

),

-- a year of an answer counts only when its world row has all twelve months
api_complete_years as (

    select
        vintage,
        year(month_date) as year,
        flow
    from api_totals
    where is_world
    group by vintage, year(month_date), flow
    having count(distinct month_date) = 12

),

api_years as (

    select
        'census-hs' as source,
        api_months_summed.vintage,
        api_months_summed.release_date,
        api_months_summed.year,
        api_months_summed.partner_census_code,
        api_months_summed.partner_name,
        api_months_summed.flow,
        api_months_summed.value_usd,
        api_months_summed.is_country,
        api_months_summed.is_world
    from api_months_summed
    inner join api_complete_years
        on
            api_months_summed.vintage = api_complete_years.vintage
            and api_months_summed.year = api_complete_years.year
            and api_months_summed.flow = api_complete_years.flow

),

usatradeonline_years as (

    select
        'usatradeonline' as source,
        vintage,
        downloaded_date as release_date,
        year,
        coalesce(partner_census_code, partner_name) as partner_census_code,
        partner_name,
        flow,
        value_usd,
        is_country,
        is_world
    from usatradeonline_flows

),

unioned as (

    select * from workbook_years
    union all
    select * from api_years
    union all
    select * from usatradeonline_years

)

select * from unioned
