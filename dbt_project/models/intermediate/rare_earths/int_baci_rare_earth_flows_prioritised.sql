-- One BACI series per product and year: a native release beats the atlas extracts (same
-- figures, more detail), then the newest version and HS revision. Mixing two releases in
-- one series is never done (trade_data_methods.md §12).
with

release_flows as (

    select * from {{ ref('stg_baci__trade_flows') }}

),

country_codes as (

    select * from {{ ref('stg_baci__country_codes') }}

),

extract_flows as (

    select * from {{ ref('stg_baci__atlas_flows') }}

),

extract_trade_flows as (

    select * from {{ ref('stg_baci__atlas_trade_flows') }}

),

basket as (

    select * from {{ ref('stg_reference__rare_earth_hs_basket_codes') }}

),

release_with_iso as (

    select
        'release' as dataset,
        1 as dataset_rank,
        release_flows.vintage,
        release_flows.hs_revision,
        release_flows.year,
        exporters.country_iso3 as exporter_iso3,
        importers.country_iso3 as importer_iso3,
        release_flows.hs_code,
        release_flows.hs6,
        release_flows.value_usd,
        release_flows.quantity_t,
        release_flows.net_weight_kg
    from release_flows
    left join country_codes as exporters
        on
            release_flows.vintage = exporters.vintage
            and release_flows.exporter_code = exporters.country_code
    left join country_codes as importers
        on
            release_flows.vintage = importers.vintage
            and release_flows.importer_code = importers.country_code

),

extracts as (

    select
        'atlas_extract' as dataset,
        2 as dataset_rank,
        vintage,
        hs_revision,
        year,
        exporter_iso3,
        importer_iso3,
        hs_code,
        hs6,
        value_usd,
        null::double as quantity_t,
        null::double as net_weight_kg
    from extract_flows

    union all

    select
        'atlas_trade' as dataset,
        2 as dataset_rank,
        vintage,
        hs_revision,
        year,
        exporter_iso3,
        importer_iso3,
        hs_code,
        hs6,
        value_usd,
        quantity_t,
        net_weight_kg
    from extract_trade_flows

),

candidates as (

    select * from release_with_iso
    where hs6 in (select basket.hs6 from basket)

    union all

    select * from extracts
    where hs6 in (select basket.hs6 from basket)

),

ranked_series as (

    select
        year,
        hs6,
        dataset,
        vintage,
        hs_revision,
        row_number() over (
            partition by year, hs6
            order by min(dataset_rank) asc, vintage desc, hs_revision desc, dataset asc
        ) as series_rank
    from candidates
    group by year, hs6, dataset, vintage, hs_revision

),

chosen as (

    select candidates.*
    from candidates
    inner join ranked_series
        on
            candidates.year = ranked_series.year
            and candidates.hs6 = ranked_series.hs6
            and candidates.dataset = ranked_series.dataset
            and candidates.vintage = ranked_series.vintage
            and candidates.hs_revision = ranked_series.hs_revision
    where ranked_series.series_rank = 1

)

select * from chosen
