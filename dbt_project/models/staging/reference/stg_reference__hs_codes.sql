with

source as (

    select * from {{ source('reference', 'hs_codes') }}

),

renamed as (

    select
        ---------- ids
        nomenclature as hs_nomenclature,
        hs_code,
        -- the publisher writes TOTAL for "no parent" and for the section of chapter 99
        nullif(parent_code, 'TOTAL') as parent_hs_code,
        nullif(section, 'TOTAL') as hs_section,
        ---------- strings
        description as hs_description,
        source_url,
        ---------- numerics
        level as hs_level,
        ---------- booleans
        hs_code = 'TOTAL' as is_total,
        ---------- metadata
        load_id,
        loaded_at
    from source

)

select * from renamed
