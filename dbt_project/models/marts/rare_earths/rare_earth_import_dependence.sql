-- How concentrated each importer's supply is, per value-chain stage: the totals and the
-- supplier ranking come from the intermediate models; here only the shares, China's share
-- and the Herfindahl–Hirschman index.
{%- set grain = ['importer_iso3', 'stage', 'year', 'source'] %}
with

totals as (

    select * from {{ ref('int_rare_earth_import_totals_joined') }}

),

suppliers as (

    select * from {{ ref('int_rare_earth_suppliers_ranked') }}

),

china_world_shares as (

    select * from {{ ref('int_rare_earth_china_world_shares_joined') }}

),

country_names as (

    select * from {{ ref('int_country_names_unioned') }}

),

concentration as (

    select
        suppliers.importer_iso3,
        suppliers.stage,
        suppliers.year,
        suppliers.source,
        sum(power(suppliers.supplier_imports_usd / totals.imports_usd * 100, 2)) as hhi
    from suppliers
    inner join totals
        on {{ keys_match('suppliers', 'totals', grain) }}
    where totals.imports_usd > 0
    group by suppliers.importer_iso3, suppliers.stage, suppliers.year, suppliers.source

),

final as (

    select
        totals.importer_iso3,
        importers.country_name as importer_name,
        totals.stage,
        totals.year,
        totals.source,
        cast(totals.imports_usd as decimal(18, 0)) as imports_usd,
        totals.top_supplier_iso3,
        top_suppliers.country_name as top_supplier_name,
        round(totals.top_supplier_usd / nullif(totals.imports_usd, 0) * 100, 4)
            as top_supplier_share_pct,
        round(
            case
                -- complete bilateral data: no Chinese row means China supplied nothing
                when totals.has_supplier_breakdown
                    then coalesce(totals.china_usd, 0) / nullif(totals.imports_usd, 0) * 100
                else coalesce(
                    china_world_shares.published_china_share_pct,
                    china_world_shares.china_exports_usd / nullif(totals.imports_usd, 0) * 100
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
    left join china_world_shares
        on
            {{ keys_match('totals', 'china_world_shares', grain) }}
            and not totals.has_supplier_breakdown
    left join country_names as importers on totals.importer_iso3 = importers.country_iso3
    left join country_names as top_suppliers
        on totals.top_supplier_iso3 = top_suppliers.country_iso3

)

select * from final
