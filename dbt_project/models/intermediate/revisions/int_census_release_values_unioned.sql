-- Every value each Census release published, monthly and annual, with the release's date.
-- A zero cell is how the workbook writes an unpublished month, so it is not a published
-- value; a partial-year annual column grows with every release, so only complete years count.
with

monthly_flows as (

    select * from {{ ref('stg_census_country__monthly_flows') }}

),

annual_totals as (

    select * from {{ ref('stg_census_country__annual_totals') }}

),

release_dates as (

    select * from {{ ref('census_country_release_dates') }}

),

values_published as (

    select
        vintage as release,  -- noqa: RF04
        vintage_month,
        partner_census_code,
        partner_name,
        is_country,
        flow,
        'month' as period_kind,
        month_date as period_date,
        value_usd,
        is_rounded
    from monthly_flows
    where value_usd <> 0

    union all

    select
        vintage as release,  -- noqa: RF04
        vintage_month,
        partner_census_code,
        partner_name,
        is_country,
        flow,
        'year' as period_kind,
        make_date(year, 1, 1) as period_date,
        value_usd,
        is_rounded
    from annual_totals
    where value_usd <> 0 and make_date(year, 12, 1) <= vintage_month

),

final as (

    select
        values_published.*,
        coalesce(
            release_dates.release_date,
            last_day(values_published.vintage_month) + interval 36 days
        )::date as release_date,
        coalesce(release_dates.is_release_date_approximate, true) as is_release_date_approximate
    from values_published
    left join release_dates on values_published.release = release_dates.vintage

)

select * from final
