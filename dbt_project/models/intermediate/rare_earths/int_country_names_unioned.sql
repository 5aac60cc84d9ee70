-- A name for every country code the rare-earth sources write: the reference name for ISO
-- codes; for the codes ISO does not have, BACI's own name (S19 "Other Asia, nes" is
-- Taiwan in UN trade statistics; historical codes such as SUN), else Comtrade's (WLD
-- "World").
with

countries as (

    select * from {{ ref('stg_reference__countries') }}

),

baci_codes as (

    select * from {{ ref('stg_baci__country_codes') }}

),

comtrade_exceptions as (

    select * from {{ ref('comtrade_area_code_exceptions') }}

),

reference_names as (

    select
        country_iso3,
        country_name,
        'reference' as name_source
    from countries

),

baci_names as (

    -- the newest BACI release's spelling
    select
        baci_codes.country_iso3,
        baci_codes.country_name,
        'baci' as name_source
    from baci_codes
    anti join reference_names on baci_codes.country_iso3 = reference_names.country_iso3
    where baci_codes.country_iso3 is not null
    qualify row_number() over (
        partition by baci_codes.country_iso3
        order by baci_codes.vintage desc, baci_codes.country_code asc
    ) = 1

),

comtrade_names as (

    select
        comtrade_exceptions.iso3 as country_iso3,
        comtrade_exceptions.comtrade_name as country_name,
        'comtrade' as name_source
    from comtrade_exceptions
    anti join reference_names on comtrade_exceptions.iso3 = reference_names.country_iso3
    anti join baci_names on comtrade_exceptions.iso3 = baci_names.country_iso3
    qualify row_number() over (
        partition by comtrade_exceptions.iso3
        order by comtrade_exceptions.comtrade_code asc
    ) = 1

),

unioned as (

    select * from reference_names
    union all by name
    select * from baci_names
    union all by name
    select * from comtrade_names

)

select * from unioned
