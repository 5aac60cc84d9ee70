-- The import side of the stage flows, by importer: each supplier's value and the
-- importer's reported total from all partners (supplier `WLD`) where the source publishes
-- one. The world as importer is every BACI importer together, BACI being the one source
-- that covers every importer.
with

annual_flows as (

    select * from {{ ref('int_rare_earth_stage_flows_annualised') }}

),

import_rows as (

    select
        reporter_iso3 as importer_iso3,
        partner_iso3 as supplier_iso3,
        stage,
        year,
        source,
        hs6,
        value_usd,
        vintage
    from annual_flows
    where flow = 'import'

),

supplier_rows as (

    select * from import_rows
    where supplier_iso3 is distinct from 'WLD' and importer_iso3 <> 'WLD'

),

world_supplier_rows as (

    select * replace ('WLD' as importer_iso3) from supplier_rows
    where source = 'baci'

),

reported_total_rows as (

    select * from import_rows
    where supplier_iso3 = 'WLD'

),

aggregated as (

    select
        importer_iso3,
        supplier_iso3,
        stage,
        year,
        source,
        hs6,
        sum(value_usd) as imports_usd,
        max(vintage) as vintage
    from (
        select * from supplier_rows
        union all by name
        select * from world_supplier_rows
        union all by name
        select * from reported_total_rows
    ) as unioned
    group by importer_iso3, supplier_iso3, stage, year, source, hs6

)

select * from aggregated
