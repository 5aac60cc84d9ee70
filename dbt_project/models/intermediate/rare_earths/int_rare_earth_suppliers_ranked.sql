-- Each importer's suppliers per stage, year and source, largest first; ties go to the
-- alphabetically first supplier.
with

supplier_imports as (

    select * from {{ ref('int_rare_earth_supplier_imports_aggregated') }}
    where supplier_iso3 is distinct from 'WLD'

),

supplier_values as (

    select
        importer_iso3,
        stage,
        year,
        source,
        supplier_iso3,
        sum(imports_usd) as supplier_imports_usd
    from supplier_imports
    group by importer_iso3, stage, year, source, supplier_iso3

),

ranked as (

    select
        *,
        row_number() over (
            partition by importer_iso3, stage, year, source
            order by supplier_imports_usd desc, supplier_iso3 asc
        ) as supplier_rank
    from supplier_values

)

select * from ranked
