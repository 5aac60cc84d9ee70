{{ config(materialized='view') }}

-- editions are never mixed within a year: a country the newest edition drops is not
-- filled in from an older one, so shares still add up within the year
with

supply as (

    select * from {{ ref('rare_earth_supply') }}

),

newest_edition_per_year as (

    select
        edition,
        edition_year,
        country_iso3,
        country_name,
        country_name_as_published,
        area_kind,
        year,
        mine_production_t_reo,
        mine_production_as_published,
        mine_production_flag,
        share_of_world_production_pct,
        reserves_t_reo,
        reserves_bound_t_reo,
        reserves_as_published,
        reserves_flag,
        is_estimate,
        production_note,
        reserves_note,
        source_document,
        source_url
    from supply
    qualify edition_year = max(edition_year) over (partition by year)

)

select * from newest_edition_per_year
