-- USGS country spellings → ISO3 (by the reference display name, else the explicit seed)
with

world_figures as (

    select * from {{ ref('stg_usgs_mcs__world_figures') }}

),

countries as (

    select * from {{ ref('stg_reference__countries') }}

),

usgs_names as (

    select * from {{ ref('usgs_mcs_country_names') }}

),

mapped as (

    select
        world_figures.edition,
        world_figures.edition_year,
        world_figures.country_name_as_published,
        world_figures.measure,
        world_figures.year,
        world_figures.value_t_reo,
        world_figures.value_bound_t_reo,
        world_figures.value_as_published,
        world_figures.value_flag,
        world_figures.note,
        world_figures.source_document,
        world_figures.source_url,
        coalesce(usgs_names.area_kind, 'country') as area_kind,
        coalesce(usgs_names.country_iso3, countries.country_iso3) as country_iso3,
        coalesce(usgs_names.country_name, world_figures.country_name_as_published)
            as country_name,
        -- MCS 2023 notes "Estimated in 2021 also." where the header marks only 2022
        world_figures.is_estimate
        or coalesce(
            world_figures.note ilike ('%estimated in ' || world_figures.year || '%'), false
        ) as is_estimate
    from world_figures
    left join usgs_names
        on world_figures.country_name_as_published = usgs_names.usgs_name
    left join countries
        on world_figures.country_name_as_published = countries.country_name

)

select * from mapped
