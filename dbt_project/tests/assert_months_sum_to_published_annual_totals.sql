-- Within every vintage, the months of a year add up to the publisher's own annual column
-- (IYR/EYR; year-to-date for the vintage's own year). Workbook values are unrounded, so the
-- only slack is a dollar per month from rounding each month to whole USD; the derived series
-- rounds every figure to $0.1 million, so each month may be off by up to $50,000. Rows the
-- publisher printed in whole millions (1985–1995, and some groupings in the 2011-12
-- workbook's CSV export) may be off by up to $500,000 a month.
-- Rows returned are failures.
with

monthly_flows as (

    select * from {{ ref('stg_census_country__monthly_flows') }}

),

annual_totals as (

    select * from {{ ref('stg_census_country__annual_totals') }}

),

summed as (

    select
        vintage,
        partner_census_code,
        year,
        flow,
        count(*) as months,
        bool_or(is_rounded) as is_rounded,
        bool_and(value_musd = round(value_musd)) as is_whole_millions,
        sum(value_usd) as months_value_usd
    from monthly_flows
    group by vintage, partner_census_code, year, flow

),

compared as (

    select
        summed.vintage,
        summed.partner_census_code,
        summed.year,
        summed.flow,
        summed.months,
        summed.months_value_usd,
        annual_totals.value_usd as annual_value_usd,
        summed.months_value_usd - annual_totals.value_usd as difference_usd,
        summed.months * case
            when summed.is_rounded then 50000
            when summed.is_whole_millions then 500000
            else 1
        end as tolerance_usd
    from summed
    inner join annual_totals
        on
            summed.vintage = annual_totals.vintage
            and summed.partner_census_code = annual_totals.partner_census_code
            and summed.year = annual_totals.year
            and summed.flow = annual_totals.flow

)

select * from compared
where abs(difference_usd) > tolerance_usd
