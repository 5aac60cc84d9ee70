-- Every value each Census release published, with the release's date: the country.xlsx
-- workbooks and the 2026 series (census-country), the saved International Trade API answers
-- (census-hs country totals) and the USA Trade Online download (usatradeonline). A zero cell
-- is how the workbook writes an unpublished month, so it is not a published value; a
-- partial-year total grows with every release, so only complete years count.
with

monthly_flows as (

    select * from {{ ref('stg_census_country__monthly_flows') }}

),

annual_totals as (

    select * from {{ ref('stg_census_country__annual_totals') }}

),

api_country_totals as (

    select * from {{ ref('stg_census_hs__country_totals') }}

),

usatradeonline_flows as (

    select * from {{ ref('int_usatradeonline_flows_coded') }}

),

release_dates as (

    select * from {{ ref('census_country_release_dates') }}

),

workbook_values as (

    select
        'census-country' as release_source,
        monthly_flows.vintage as release,  -- noqa: RF04
        monthly_flows.vintage_month,
        monthly_flows.partner_census_code,
        monthly_flows.partner_name,
        monthly_flows.is_country,
        monthly_flows.flow,
        'month' as period_kind,
        monthly_flows.month_date as period_date,
        monthly_flows.value_usd,
        monthly_flows.is_rounded
    from monthly_flows
    where monthly_flows.value_usd <> 0

    union all

    select
        'census-country' as release_source,
        annual_totals.vintage as release,  -- noqa: RF04
        annual_totals.vintage_month,
        annual_totals.partner_census_code,
        annual_totals.partner_name,
        annual_totals.is_country,
        annual_totals.flow,
        'year' as period_kind,
        make_date(annual_totals.year, 1, 1) as period_date,
        annual_totals.value_usd,
        annual_totals.is_rounded
    from annual_totals
    where
        annual_totals.value_usd <> 0
        and make_date(annual_totals.year, 12, 1) <= annual_totals.vintage_month

),

workbook_dated as (

    select
        workbook_values.*,
        cast(coalesce(
            release_dates.release_date,
            last_day(workbook_values.vintage_month) + interval 36 days
        ) as date) as release_date
    from workbook_values
    left join release_dates on workbook_values.release = release_dates.vintage

),

api_values as (

    -- the API's world total ('-') is the workbook's World (0015); its grouping codes are
    -- not the workbook's, so only countries and the world are compared
    select
        'census-hs' as release_source,
        vintage as release,  -- noqa: RF04
        max(month_date) over (partition by vintage) as vintage_month,
        case when is_world then '{{ var("world_census_code") }}' else partner_census_code end
            as partner_census_code,
        partner_name,
        is_country,
        flow,
        'month' as period_kind,
        month_date as period_date,
        cast(value_usd as decimal(18, 0)) as value_usd,
        false as is_rounded,
        retrieved_date as release_date
    from api_country_totals
    where (is_country or is_world) and value_usd <> 0

),

usatradeonline_values as (

    select
        'usatradeonline' as release_source,
        vintage as release,  -- noqa: RF04
        cast(date_trunc('month', downloaded_date) as date) as vintage_month,
        coalesce(partner_census_code, '{{ var("world_census_code") }}') as partner_census_code,
        partner_name,
        is_country,
        flow,
        'year' as period_kind,
        make_date(year, 1, 1) as period_date,
        cast(value_usd as decimal(18, 0)) as value_usd,
        false as is_rounded,
        downloaded_date as release_date
    from usatradeonline_flows
    where
        (is_country or is_world)
        and is_all_commodities
        and not is_partial_period
        and value_usd <> 0

),

final as (

    -- every date is the best evidence, not Census's announcement: approximate throughout
    select
        *,
        true as is_release_date_approximate
    from workbook_dated
    union all by name
    select
        *,
        true as is_release_date_approximate
    from api_values
    union all by name
    select
        *,
        true as is_release_date_approximate
    from usatradeonline_values

)

select * from final
