-- U.S.–Turkey trade per full year, flow and product on two product bases, each beside the
-- published total of its own release: NAICS 3-digit codes from USA Trade Online (newest
-- download, total = its All Commodities row) and HS2 chapters from the saved census-hs
-- answers (imports only; twelve months summed; total = the API's country totals). Exports
-- have no HS2 detail in the answers, so on that basis they are one `all` product.
with

naics_flows as (

    select * from {{ ref('int_naics_partner_flows_ranked') }}
    where
        partner_census_code = '{{ var("turkey_census_code") }}'
        and not is_partial_period

),

hs_flows as (

    select * from {{ ref('stg_census_hs__country_product_flows') }}
    where
        partner_census_code = '{{ var("turkey_census_code") }}'
        and hs_level = 'HS2'

),

api_totals as (

    select * from {{ ref('stg_census_hs__country_totals') }}
    where partner_census_code = '{{ var("turkey_census_code") }}'

),

naics_products as (

    select
        'NAICS' as product_basis,
        'usatradeonline' as source,
        vintage,
        year,
        flow,
        naics_code as product_code,
        naics_description as product_description,
        value_usd,
        partner_flow_total_usd as flow_total_usd
    from naics_flows

),

-- the newest retrieval of each year and flow, and only years with all twelve months
api_years as (

    {{ newest_complete_years('api_totals', {'flow_total_usd': 'sum(value_usd)'}) }}

),

hs_complete_years as (

    {{ newest_complete_years('hs_flows') }}

),

hs_years as (

    select
        hs_complete_years.vintage,
        hs_complete_years.year,
        hs_complete_years.flow,
        hs_flows.hs_code,
        any_value(hs_flows.hs_description) as hs_description,
        sum(hs_flows.value_usd) as value_usd
    from hs_flows
    inner join hs_complete_years
        on
            hs_flows.vintage = hs_complete_years.vintage
            and year(hs_flows.month_date) = hs_complete_years.year
            and hs_flows.flow = hs_complete_years.flow
    group by
        hs_complete_years.vintage,
        hs_complete_years.year,
        hs_complete_years.flow,
        hs_flows.hs_code

),

hs_products as (

    select
        'HS2' as product_basis,
        'census-hs' as source,
        hs_years.vintage,
        hs_years.year,
        hs_years.flow,
        hs_years.hs_code as product_code,
        hs_years.hs_description as product_description,
        hs_years.value_usd,
        api_years.flow_total_usd
    from hs_years
    inner join api_years
        on hs_years.year = api_years.year and hs_years.flow = api_years.flow

),

-- a flow without HS2 detail in a year that has it for the other flow: one `all` product
hs_undetailed_flows as (

    select
        'HS2' as product_basis,
        'census-hs' as source,
        api_years.vintage,
        api_years.year,
        api_years.flow,
        'all' as product_code,
        'All commodities (no HS2 detail in the saved answers)' as product_description,
        api_years.flow_total_usd as value_usd,
        api_years.flow_total_usd
    from api_years
    where
        api_years.year in (select hs_products.year from hs_products)
        and not exists (
            select 1
            from hs_products
            where hs_products.year = api_years.year and hs_products.flow = api_years.flow
        )

),

unioned as (

    select * from naics_products
    union all
    select * from hs_products
    union all
    select * from hs_undetailed_flows

)

select * from unioned
