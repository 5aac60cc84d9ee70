-- Each importer's imports per stage, year and source: the reported total from all
-- partners where the source publishes one, else the sum over suppliers; beside it the
-- supplier summary (count, top supplier, China) and the codes and vintage that contributed.
{%- set grain = ['importer_iso3', 'stage', 'year', 'source'] %}
with

supplier_imports as (

    select * from {{ ref('int_rare_earth_supplier_imports_aggregated') }}

),

ranked_suppliers as (

    select * from {{ ref('int_rare_earth_suppliers_ranked') }}

),

coverage as (

    select
        importer_iso3,
        stage,
        year,
        source,
        string_agg(distinct hs6, ',' order by hs6) as hs_codes,
        max(vintage) as vintage
    from supplier_imports
    group by importer_iso3, stage, year, source

),

reported_totals as (

    select
        importer_iso3,
        stage,
        year,
        source,
        sum(imports_usd) as reported_total_usd
    from supplier_imports
    where supplier_iso3 = 'WLD'
    group by importer_iso3, stage, year, source

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

)

select * from totals
