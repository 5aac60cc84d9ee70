with

source as (

    select * from {{ source('usgs_mcs', 'world_production') }}

),

renamed as (

    select
        ---------- ids
        edition,
        country as country_name_as_published,
        measure,
        ---------- strings
        value_as_published,
        value_flag,
        published_field,
        published_type,
        note,
        source_document,
        source_url,
        ---------- numerics
        cast(right(edition, 4) as integer) as edition_year,
        year,
        value_t_reo,
        value_bound as value_bound_t_reo,
        source_row,
        ---------- booleans
        is_estimate,
        ---------- metadata
        load_id,
        loaded_at
    from source

)

select * from renamed
