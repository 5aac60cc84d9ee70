with

source as (

    select * from {{ source('reference', 'census_country_codes') }}

),

renamed as (

    select
        ---------- ids
        census_code as census_country_code,
        iso2 as country_iso2,
        ---------- strings
        census_name,
        list_produced,
        source_url
    from source

)

select * from renamed
