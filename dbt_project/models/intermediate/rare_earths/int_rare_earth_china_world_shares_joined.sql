-- China's share of world supply where only totals are published (the BACI summary): the
-- share the summary prints on every world total, and China's exports to the world, per
-- stage, year and source, for the world as importer.
{%- set grain = ['importer_iso3', 'stage', 'year', 'source'] %}
with

annual_flows as (

    select * from {{ ref('int_rare_earth_stage_flows_annualised') }}

),

summaries as (

    select * from {{ ref('int_baci_summary_flows_filtered') }}

),

basket as (

    select * from {{ ref('stg_reference__rare_earth_hs_basket_codes') }}

),

china_world_exports as (

    -- totals-only sources: China's exports to the world supply the world
    select
        'WLD' as importer_iso3,
        stage,
        year,
        source,
        sum(value_usd) as china_exports_usd
    from annual_flows
    where flow = 'export' and partner_iso3 = 'WLD' and reporter_iso3 = 'CHN'
    group by stage, year, source

),

published_shares as (

    -- printed also in years when China's own row is missing; a stage of several codes
    -- weighs them by value
    select
        'WLD' as importer_iso3,
        basket.stage,
        summaries.year,
        'baci' as source,
        sum(summaries.china_export_share * summaries.value_usd)
        / nullif(sum(summaries.value_usd), 0) * 100 as published_china_share_pct
    from summaries
    inner join basket on summaries.hs6 = basket.hs6
    where summaries.flow_role = 'world_total' and basket.in_stage_total
    group by basket.stage, summaries.year
    having count(*) = count(summaries.china_export_share)

),

joined as (

    select
        coalesce(published_shares.importer_iso3, china_world_exports.importer_iso3)
            as importer_iso3,
        coalesce(published_shares.stage, china_world_exports.stage) as stage,  -- noqa: RF04
        coalesce(published_shares.year, china_world_exports.year) as year,
        coalesce(published_shares.source, china_world_exports.source) as source,
        published_shares.published_china_share_pct,
        china_world_exports.china_exports_usd
    from published_shares
    full outer join china_world_exports
        on {{ keys_match('published_shares', 'china_world_exports', grain) }}

)

select * from joined
