-- USA Trade Online: for every download, flow, partner (the world included) and period, the
-- NAICS codes add up to the report's own All Commodities row, to the dollar. Rows returned
-- are failures, naming the download, flow, partner, period and difference.
{{ config(store_failures=true, schema='audit') }}

with

commodity_flows as (

    select * from {{ ref('stg_usatradeonline__commodity_flows') }}
    where commodity_system = 'NAICS'

),

compared as (

    select
        vintage,
        flow,
        partner_name,
        period,
        sum(value_usd) filter (where not is_all_commodities) as codes_total_usd,
        sum(value_usd) filter (where is_all_commodities) as all_commodities_usd
    from commodity_flows
    group by vintage, flow, partner_name, period

)

select
    *,
    codes_total_usd - all_commodities_usd as difference_usd
from compared
where codes_total_usd is distinct from all_commodities_usd
