with

figures as (

    select * from {{ ref('int_usgs_world_figures_mapped') }}
    -- a withheld or unpublished figure ("W", "NA", "--") is not a value to revise
    where measure = 'mine_production' and value_t_reo is not null

),

paired as (

    select
        *,
        lag(edition) over series as previous_edition,
        lag(value_t_reo) over series as previous_value_t_reo,
        lag(value_as_published) over series as previous_value_as_published
    from figures
    window series as (partition by area_kind, country_name, year order by edition_year)

),

final as (

    select
        country_name,
        country_iso3,
        area_kind,
        year,
        edition,
        -- MCS comes out at the end of January of its edition year (approximate)
        make_date(edition_year, 1, 31) as edition_release_date,
        previous_edition,
        value_t_reo as mine_production_t_reo,
        previous_value_t_reo as previous_mine_production_t_reo,
        value_t_reo - previous_value_t_reo as revision_t_reo,
        round((value_t_reo - previous_value_t_reo) / previous_value_t_reo * 100, 4)
            as revision_pct,
        value_as_published as mine_production_as_published,
        previous_value_as_published as previous_mine_production_as_published
    from paired
    where previous_edition is not null

)

select * from final
order by country_name, year, edition
