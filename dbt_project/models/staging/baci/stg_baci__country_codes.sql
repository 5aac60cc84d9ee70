with

source as (

    select * from {{ source('baci', 'country_codes') }}

),

renamed as (

    select
        ---------- ids
        country_code,
        country_iso2,
        country_iso3,
        ---------- strings
        vintage,
        country_name,
        ---------- metadata
        load_id,
        loaded_at
    from source

)

select * from renamed
