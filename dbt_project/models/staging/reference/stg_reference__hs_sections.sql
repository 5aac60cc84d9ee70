with

source as (

    select * from {{ source('reference', 'hs_sections') }}

),

renamed as (

    select
        ---------- ids
        nomenclature as hs_nomenclature,
        section as hs_section,
        ---------- strings
        section_name as hs_section_name,
        source_url,
        ---------- metadata
        load_id,
        loaded_at
    from source

)

select * from renamed
