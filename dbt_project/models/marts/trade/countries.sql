with

countries as (

    select * from {{ ref('stg_reference__countries') }}

),

census_codes as (

    select * from {{ ref('stg_reference__census_country_codes') }}

),

final as (

    select
        countries.country_iso3 as iso3,
        countries.country_iso2 as iso2,
        countries.country_m49 as m49,
        census_codes.census_country_code as census_code,
        countries.country_name,
        countries.official_name,
        countries.region_name,
        countries.sub_region_name
    from countries
    left join census_codes on countries.country_iso2 = census_codes.country_iso2

)

select * from final
order by iso3
