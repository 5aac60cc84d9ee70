with

figures as (

    select * from {{ ref('int_usgs_world_figures_mapped') }}

),

production as (

    select * from figures
    where measure = 'mine_production'

),

-- USGS publishes one reserves figure per edition: it sits on the edition's latest year
reserves_years as (

    select
        edition,
        max(year) as reserves_year
    from production
    group by edition

),

reserves as (

    select
        figures.edition,
        figures.edition_year,
        figures.country_name,
        figures.country_name_as_published,
        figures.country_iso3,
        figures.area_kind,
        reserves_years.reserves_year,
        figures.value_t_reo as reserves_t_reo,
        figures.value_bound_t_reo as reserves_bound_t_reo,
        figures.value_as_published as reserves_as_published,
        figures.value_flag as reserves_flag,
        figures.note as reserves_note,
        figures.source_document,
        figures.source_url
    from figures
    inner join reserves_years on figures.edition = reserves_years.edition
    where figures.measure = 'reserves'

),

world_production as (

    select
        edition,
        year,
        value_t_reo as world_mine_production_t_reo
    from production
    where area_kind = 'world'

),

spine as (

    select
        edition,
        edition_year,
        country_name,
        country_name_as_published,
        country_iso3,
        area_kind,
        year,
        source_document,
        source_url
    from production
    union
    select
        edition,
        edition_year,
        country_name,
        country_name_as_published,
        country_iso3,
        area_kind,
        reserves_year,
        source_document,
        source_url
    from reserves

),

final as (

    select
        spine.edition,
        spine.edition_year,
        spine.country_iso3,
        spine.country_name,
        spine.country_name_as_published,
        spine.area_kind,
        spine.year,
        production.value_t_reo as mine_production_t_reo,
        production.value_as_published as mine_production_as_published,
        production.value_flag as mine_production_flag,
        100.0 * production.value_t_reo
        / nullif(world_production.world_mine_production_t_reo, 0)
            as share_of_world_production_pct,
        reserves.reserves_t_reo,
        reserves.reserves_bound_t_reo,
        reserves.reserves_as_published,
        reserves.reserves_flag,
        coalesce(production.is_estimate, false) as is_estimate,
        production.note as production_note,
        reserves.reserves_note,
        spine.source_document,
        spine.source_url
    from spine
    left join production
        on
            spine.edition = production.edition
            and spine.country_name_as_published = production.country_name_as_published
            and spine.year = production.year
    left join reserves
        on
            spine.edition = reserves.edition
            and spine.country_name_as_published = reserves.country_name_as_published
            and spine.year = reserves.reserves_year
    left join world_production
        on
            spine.edition = world_production.edition
            and spine.year = world_production.year

)

select * from final
order by
    edition asc,
    year asc,
    area_kind desc,
    mine_production_t_reo desc nulls last,
    country_name asc
