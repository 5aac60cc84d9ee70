with

source as (

    select * from {{ source('usgs_mcs', 'import_sources') }}

),

renamed as (

    select
        ---------- ids
        edition,
        commodity_scope,
        country as country_name_as_published,
        ---------- strings
        period,
        note,
        source_document,
        source_url,
        ---------- numerics
        cast(right(edition, 4) as integer) as edition_year,
        rank_in_list,
        share_pct,
        source_row,
        ---------- metadata
        load_id,
        loaded_at
    from source

)

select * from renamed
