-- Every source's rare-earth basket flows in one shape. BACI reports each flow once
-- (exporter -> importer, reconciled, f.o.b.): it appears twice here, as the exporter's
-- export and as the importer's import, both `reported_by` 'BACI', so either side's view
-- can be queried. Comtrade and Census rows are each reporter's own report (mirror flows
-- stay apart).
with

baci_bilateral as (

    select * from {{ ref('int_baci_rare_earth_flows_prioritised') }}

),

baci_summaries as (

    select * from {{ ref('int_baci_summary_flows_filtered') }}

),

comtrade_records as (

    select * from {{ ref('int_comtrade_records_deduplicated') }}

),

census_flows as (

    select * from {{ ref('int_census_hs_rare_earth_flows') }}

),

basket as (

    select * from {{ ref('stg_reference__rare_earth_hs_basket_codes') }}

),

baci_bilateral_rows as (

    -- each flow once as the exporter's export and once as the importer's import
    select
        case baci_sides.flow
            when 'export' then baci_bilateral.exporter_iso3 else baci_bilateral.importer_iso3
        end as reporter_iso3,
        case baci_sides.flow
            when 'export' then baci_bilateral.importer_iso3 else baci_bilateral.exporter_iso3
        end as partner_iso3,
        baci_sides.flow,
        baci_bilateral.hs_code,
        baci_bilateral.hs6,
        baci_bilateral.year,
        baci_bilateral.value_usd,
        baci_bilateral.net_weight_kg,
        baci_bilateral.quantity_t as quantity,
        baci_bilateral.vintage
    from baci_bilateral
    cross join (values ('export'), ('import')) as baci_sides (flow)  -- noqa: RF04

),

baci_summary_rows as (

    -- a world total is both the world's exports and its imports; a top-8 row is one
    -- country's exports to, or imports from, the world
    select
        baci_summaries.country_iso3 as reporter_iso3,
        'WLD' as partner_iso3,
        roles.flow,
        baci_summaries.hs6 as hs_code,
        baci_summaries.hs6,
        baci_summaries.year,
        baci_summaries.value_usd,
        baci_summaries.net_weight_kg,
        baci_summaries.quantity_t as quantity,
        baci_summaries.vintage
    from baci_summaries
    inner join (
        values
        ('world_total', 'export'),
        ('world_total', 'import'),
        ('exporter', 'export'),
        ('importer', 'import')
    ) as roles (flow_role, flow)  -- noqa: RF04
        on baci_summaries.flow_role = roles.flow_role

),

baci_rows as (

    -- what every BACI row shares: annual, f.o.b., reconciled by CEPII, quantities in tonnes
    select
        'baci' as source,
        baci_flows.*,
        case when baci_flows.quantity is not null then 't' end as quantity_unit,
        'FOB' as valuation,
        'BACI' as reported_by
    from (
        select * from baci_bilateral_rows
        union all by name
        select * from baci_summary_rows
    ) as baci_flows

),

comtrade_rows as (

    select
        'comtrade' as source,
        reporter_iso3,
        partner_iso3,
        flow,
        cmd_code as hs_code,
        hs6,
        year,
        month,
        value_usd,
        net_weight_kg,
        quantity,
        quantity_unit,
        valuation,
        reporter_iso3 as reported_by,
        vintage
    from comtrade_records
    where hs6 in (select basket.hs6 from basket)

),

census_rows as (

    select * from census_flows
    where hs6 in (select basket.hs6 from basket)

),

unioned as (

    -- by name: a branch lists only the columns it has (BACI has no month: null)
    select * from baci_rows
    union all by name
    select * from comtrade_rows
    union all by name
    select * from census_rows

)

select * from unioned
