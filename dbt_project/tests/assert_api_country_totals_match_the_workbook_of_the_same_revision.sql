-- Saved census-hs country totals against the census-country workbook of the nearest vintage
-- that carries the same annual revisions for the month's year, within the workbook's
-- rounding. Census restates the three prior years with the April data, published in June:
-- a workbook of vintage V carries year Y's revisions through min(Y + 3, V's year, less one
-- before April); an answer retrieved on date D through min(Y + 3, D's year, less one before
-- 10 June). Releases in different revision states are not compared: both are kept as
-- published (revisions are measured elsewhere). The month must also be two months before
-- the workbook's last month, past the monthly revision of the month before. Rows returned
-- are failures.
{{ config(store_failures=true, schema='audit') }}

with

api_totals as (

    select * from {{ ref('stg_census_hs__country_totals') }}
    where is_country or is_world

),

workbook_flows as (

    select * from {{ ref('stg_census_country__monthly_flows') }}
    where is_country or partner_census_code = '{{ var("world_census_code") }}'

),

api_revised as (

    select
        *,
        least(
            year(month_date) + 3,
            year(retrieved_date) - case
                when retrieved_date < make_date(year(retrieved_date), 6, 10) then 1 else 0
            end
        ) as revised_through_year,
        case when is_world then '{{ var("world_census_code") }}' else partner_census_code end
            as workbook_census_code
    from api_totals

),

workbook_revised as (

    select
        *,
        least(
            year(month_date) + 3,
            year(vintage_month) - case when month(vintage_month) < 4 then 1 else 0 end
        ) as revised_through_year
    from workbook_flows
    where month_date <= vintage_month - interval 2 months

),

same_revision as (

    select
        api_revised.vintage,
        api_revised.month_date,
        api_revised.flow,
        api_revised.partner_census_code,
        api_revised.value_usd as api_value_usd,
        arg_min(
            workbook_revised.vintage,
            abs(workbook_revised.vintage_month - api_revised.retrieved_date)
        ) as workbook_vintage,
        arg_min(
            workbook_revised.value_usd,
            abs(workbook_revised.vintage_month - api_revised.retrieved_date)
        ) as workbook_value_usd,
        arg_min(
            workbook_revised.is_rounded,
            abs(workbook_revised.vintage_month - api_revised.retrieved_date)
        ) as is_rounded
    from api_revised
    inner join workbook_revised
        on
            api_revised.workbook_census_code = workbook_revised.partner_census_code
            and api_revised.month_date = workbook_revised.month_date
            and api_revised.flow = workbook_revised.flow
            and api_revised.revised_through_year = workbook_revised.revised_through_year
    group by
        api_revised.vintage,
        api_revised.month_date,
        api_revised.flow,
        api_revised.partner_census_code,
        api_revised.value_usd

)

select
    *,
    api_value_usd - workbook_value_usd as difference_usd
from same_revision
-- workbook cells are whole dollars in millions (staging rounds float noise to the dollar);
-- the 2026 series is rounded to $0.1 million
where abs(api_value_usd - workbook_value_usd) > case when is_rounded then 50000 else 0 end
