-- How concentrated each importer's supply is, per value-chain stage. Suppliers come from the
-- import side of bilateral flows; a reported total (partner WLD) is the denominator where a
-- source publishes one, else the sum of suppliers. The world as importer is built only from
-- BACI, the one source covering every importer.
{%- set grain = ['importer_iso3', 'stage', 'year', 'source'] %}
{%- set reported_year = ['source', 'reporter_iso3', 'hs6', 'year'] %}
with

flows as (

    select * from {{ ref('int_rare_earth_flows_unioned') }}

),

basket as (

    select * from {{ ref('rare_earth_hs_basket') }}

),

summaries as (

    select * from {{ ref('int_baci_summary_flows_filtered') }}

),

staged_flows as (

    select
        flows.*,
        basket.stage
    from flows
    inner join basket on flows.hs6 = basket.hs6
    where basket.in_stage_total

),

monthly_rows as (

    -- a source that publishes only months is summed to the year
    select
        source,
        reporter_iso3,
        partner_iso3,
        flow,
        hs6,
        year,
        stage,
        sum(value_usd) as value_usd,
        max(vintage) as vintage
    from staged_flows
    where month is not null
    group by source, reporter_iso3, partner_iso3, flow, hs6, year, stage

),

has_annual as (

    select distinct
        source,
        reporter_iso3,
        hs6,
        year
    from staged_flows
    where month is null

),

annual_rows as (

    select
        source,
        reporter_iso3,
        partner_iso3,
        flow,
        hs6,
        year,
        stage,
        value_usd,
        vintage
    from staged_flows
    where month is null

    union all

    select
        monthly_rows.source,
        monthly_rows.reporter_iso3,
        monthly_rows.partner_iso3,
        monthly_rows.flow,
        monthly_rows.hs6,
        monthly_rows.year,
        monthly_rows.stage,
        monthly_rows.value_usd,
        monthly_rows.vintage
    from monthly_rows
    anti join has_annual
        on {{ keys_match('monthly_rows', 'has_annual', reported_year) }}

),

supplier_rows as (

    select
        reporter_iso3 as importer_iso3,
        partner_iso3 as supplier_iso3,
        stage,
        year,
        source,
        hs6,
        value_usd,
        vintage
    from annual_rows
    where flow = 'import' and partner_iso3 is distinct from 'WLD' and reporter_iso3 <> 'WLD'

    union all

    select
        'WLD' as importer_iso3,
        partner_iso3 as supplier_iso3,
        stage,
        year,
        source,
        hs6,
        value_usd,
        vintage
    from annual_rows
    where
        source = 'baci' and flow = 'import'
        and partner_iso3 is distinct from 'WLD' and reporter_iso3 <> 'WLD'

),

supplier_values as (

    select
        importer_iso3,
        stage,
        year,
        source,
        supplier_iso3,
        sum(value_usd) as supplier_imports_usd
    from supplier_rows
    group by importer_iso3, stage, year, source, supplier_iso3

),

reported_totals as (

    select
        reporter_iso3 as importer_iso3,
        stage,
        year,
        source,
        sum(value_usd) as reported_total_usd
    from annual_rows
    where flow = 'import' and partner_iso3 = 'WLD'
    group by reporter_iso3, stage, year, source

),

world_supply_totals as (

    -- totals-only sources (BACI summary): a country's exports to the world supply the world
    select
        'WLD' as importer_iso3,
        reporter_iso3 as supplier_iso3,
        stage,
        year,
        source,
        sum(value_usd) as supplier_exports_usd
    from annual_rows
    where flow = 'export' and partner_iso3 = 'WLD' and reporter_iso3 <> 'WLD'
    group by reporter_iso3, stage, year, source

),

published_china_shares as (

    -- the BACI summary prints China's share of world exports on every world total, also in
    -- years when China's own row is missing; a stage of several codes weighs them by value
    select
        'WLD' as importer_iso3,
        basket.stage,
        summaries.year,
        'baci' as source,
        sum(summaries.china_export_share * summaries.value_usd)
        / nullif(sum(summaries.value_usd), 0) * 100 as china_share_pct
    from summaries
    inner join basket on summaries.hs6 = basket.hs6
    where summaries.flow_role = 'world_total' and basket.in_stage_total
    group by basket.stage, summaries.year
    having count(*) = count(summaries.china_export_share)

),

contributing_rows as (

    select
        importer_iso3,
        stage,
        year,
        source,
        hs6,
        vintage
    from supplier_rows

    union all

    select
        reporter_iso3 as importer_iso3,
        stage,
        year,
        source,
        hs6,
        vintage
    from annual_rows
    where flow = 'import' and partner_iso3 = 'WLD'

),

coverage as (

    select
        importer_iso3,
        stage,
        year,
        source,
        string_agg(distinct hs6, ',' order by hs6) as hs_codes,
        max(vintage) as vintage
    from contributing_rows
    group by importer_iso3, stage, year, source

),

ranked_suppliers as (

    select
        *,
        -- ties go to the alphabetically first supplier
        row_number() over (
            partition by importer_iso3, stage, year, source
            order by supplier_imports_usd desc, supplier_iso3 asc
        ) as supplier_rank
    from supplier_values

),

supplier_summary as (

    select
        importer_iso3,
        stage,
        year,
        source,
        sum(supplier_imports_usd) as suppliers_usd,
        count(*) filter (where supplier_imports_usd > 0) as supplier_count,
        any_value(supplier_iso3) filter (where supplier_rank = 1) as top_supplier_iso3,
        max(supplier_imports_usd) as top_supplier_usd,
        sum(supplier_imports_usd) filter (where supplier_iso3 = 'CHN') as china_usd
    from ranked_suppliers
    group by importer_iso3, stage, year, source

),

totals as (

    select
        coverage.importer_iso3,
        coverage.stage,
        coverage.year,
        coverage.source,
        coverage.hs_codes,
        coverage.vintage,
        coalesce(reported_totals.reported_total_usd, supplier_summary.suppliers_usd)
            as imports_usd,
        supplier_summary.supplier_count,
        supplier_summary.top_supplier_iso3,
        supplier_summary.top_supplier_usd,
        supplier_summary.china_usd,
        supplier_summary.importer_iso3 is not null as has_supplier_breakdown
    from coverage
    left join supplier_summary
        on {{ keys_match('coverage', 'supplier_summary', grain) }}
    left join reported_totals
        on {{ keys_match('coverage', 'reported_totals', grain) }}

),

concentration as (

    select
        supplier_values.importer_iso3,
        supplier_values.stage,
        supplier_values.year,
        supplier_values.source,
        sum(power(supplier_values.supplier_imports_usd / totals.imports_usd * 100, 2)) as hhi
    from supplier_values
    inner join totals
        on {{ keys_match('supplier_values', 'totals', grain) }}
    where totals.imports_usd > 0
    group by
        supplier_values.importer_iso3,
        supplier_values.stage,
        supplier_values.year,
        supplier_values.source

),

final as (

    select
        totals.importer_iso3,
        totals.stage,
        totals.year,
        totals.source,
        cast(totals.imports_usd as decimal(18, 0)) as imports_usd,
        totals.top_supplier_iso3,
        round(totals.top_supplier_usd / nullif(totals.imports_usd, 0) * 100, 4)
            as top_supplier_share_pct,
        round(
            case
                -- complete bilateral data: no Chinese row means China supplied nothing
                when totals.has_supplier_breakdown
                    then coalesce(totals.china_usd, 0) / nullif(totals.imports_usd, 0) * 100
                else coalesce(
                    published_china_shares.china_share_pct,
                    world_supply_totals.supplier_exports_usd / nullif(totals.imports_usd, 0) * 100
                )
            end,
            4
        ) as china_share_pct,
        round(concentration.hhi, 2) as hhi,
        totals.supplier_count,
        totals.has_supplier_breakdown,
        totals.hs_codes,
        totals.vintage
    from totals
    left join concentration
        on {{ keys_match('totals', 'concentration', grain) }}
    left join world_supply_totals
        on
            {{ keys_match('totals', 'world_supply_totals', grain) }}
            and world_supply_totals.supplier_iso3 = 'CHN'
            and not totals.has_supplier_breakdown
    left join published_china_shares
        on
            {{ keys_match('totals', 'published_china_shares', grain) }}
            and not totals.has_supplier_breakdown

)

select * from final
