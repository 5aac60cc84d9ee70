with

source as (

    select * from {{ source('reference', 'countries') }}

),

renamed as (

    select
        ---------- ids
        iso3 as country_iso3,
        iso2 as country_iso2,
        iso_numeric as country_iso_numeric,
        lpad(m49, 3, '0') as country_m49,
        ---------- strings
        country_name,
        official_name,
        region_name,
        sub_region_name,
        source_url
    from source

)

select * from renamed
