-- Saved census-hs answers: for every month, flow and partner code (world and groupings
-- included), the HS2 chapters (98 and 99 included) add up to the all-commodity country total
-- of the answer retrieved nearest to it, to the dollar. A month or partner missing on either
-- side fails too. Rows returned are failures.
{{ config(store_failures=true, schema='audit') }}

with

product_flows as (

    select * from {{ ref('stg_census_hs__country_product_flows') }}
    where hs_level = 'HS2'

),

country_totals as (

    select * from {{ ref('stg_census_hs__country_totals') }}

),

chapters_summed as (

    select
        vintage,
        retrieved_date,
        month_date,
        flow,
        partner_census_code,
        sum(value_usd) as chapters_total_usd
    from product_flows
    group by vintage, retrieved_date, month_date, flow, partner_census_code

),

-- the country-total answer retrieved nearest to each HS2 answer that holds the month
nearest_vintages as (

    select
        chapters_summed.vintage,
        chapters_summed.month_date,
        chapters_summed.flow,
        arg_min(
            country_totals.vintage,
            abs(country_totals.retrieved_date - chapters_summed.retrieved_date)
        ) as totals_vintage
    from chapters_summed
    inner join country_totals
        on
            chapters_summed.month_date = country_totals.month_date
            and chapters_summed.flow = country_totals.flow
    group by chapters_summed.vintage, chapters_summed.month_date, chapters_summed.flow

),

nearest_totals as (

    select
        nearest_vintages.vintage,
        country_totals.month_date,
        country_totals.flow,
        country_totals.partner_census_code,
        country_totals.value_usd
    from nearest_vintages
    inner join country_totals
        on
            nearest_vintages.totals_vintage = country_totals.vintage
            and nearest_vintages.month_date = country_totals.month_date
            and nearest_vintages.flow = country_totals.flow

),

compared as (

    select
        coalesce(chapters_summed.vintage, nearest_totals.vintage) as vintage,
        coalesce(chapters_summed.month_date, nearest_totals.month_date) as month_date,
        coalesce(chapters_summed.flow, nearest_totals.flow) as flow,
        coalesce(
            chapters_summed.partner_census_code, nearest_totals.partner_census_code
        ) as partner_census_code,
        chapters_summed.chapters_total_usd,
        nearest_totals.value_usd as country_total_usd
    from chapters_summed
    full outer join nearest_totals
        on
            chapters_summed.vintage = nearest_totals.vintage
            and chapters_summed.month_date = nearest_totals.month_date
            and chapters_summed.flow = nearest_totals.flow
            and chapters_summed.partner_census_code = nearest_totals.partner_census_code

)

select * from compared
where chapters_total_usd is distinct from country_total_usd
