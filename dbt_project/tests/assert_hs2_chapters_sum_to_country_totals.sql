-- For every month and flow in both sources, the HS2 chapters of U.S.–Turkey trade from the
-- Census API (special chapters 98 and 99 included) add up to the census-country total for
-- Turkey within the tolerance (census-country is published to $0.1 million). Each failing
-- row names the month, the flow and the difference.
{{ config(store_failures=true, schema='audit') }}

with

product_flows as (

    select * from {{ ref('stg_census_hs__turkey_product_flows') }}
    where hs_level = 'HS2'

),

monthly_flows as (

    select * from {{ ref('int_monthly_flows_deduplicated') }}
    where partner_census_code = '{{ var("turkey_census_code") }}'

),

chapter_totals as (

    select
        month_date,
        flow,
        sum(value_usd) as chapters_total_usd
    from product_flows
    group by month_date, flow

),

compared as (

    select
        chapter_totals.month_date,
        chapter_totals.flow,
        chapter_totals.chapters_total_usd,
        monthly_flows.value_usd as census_country_total_usd,
        monthly_flows.vintage as census_country_vintage,
        chapter_totals.chapters_total_usd - monthly_flows.value_usd as difference_usd
    from chapter_totals
    inner join monthly_flows
        on
            chapter_totals.month_date = monthly_flows.month_date
            and chapter_totals.flow = monthly_flows.flow

)

select *
from compared
where abs(difference_usd) > {{ var('hs2_reconciliation_tolerance_usd') }}
order by month_date, flow
