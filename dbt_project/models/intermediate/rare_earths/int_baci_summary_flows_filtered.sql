-- The atlas summary's world totals and top-8 country rows, only for products and years
-- that no bilateral BACI series covers (bilateral rows already hold those figures).
with

summaries as (

    select * from {{ ref('stg_baci__atlas_summaries') }}

),

country_codes as (

    select * from {{ ref('stg_baci__country_codes') }}

),

bilateral as (

    select * from {{ ref('int_baci_rare_earth_flows_prioritised') }}

),

basket as (

    select * from {{ ref('stg_reference__rare_earth_hs_basket_codes') }}

),

iso2_to_iso3 as (

    -- historical codes share ISO codes (Belgium-Luxembourg, Sudan before 2011): one each
    select distinct
        vintage,
        country_iso2,
        country_iso3
    from country_codes
    where country_iso2 is not null

),

covered as (

    select distinct
        year,
        hs6
    from bilateral

),

uncovered as (

    select summaries.*
    from summaries
    left join covered
        on
            summaries.year = covered.year
            and summaries.hs6 = covered.hs6
    where
        covered.hs6 is null
        and summaries.hs6 in (select basket.hs6 from basket)

),

with_iso as (

    select
        uncovered.vintage,
        uncovered.hs_revision,
        uncovered.year,
        uncovered.hs6,
        uncovered.flow_role,
        case
            when uncovered.flow_role = 'world_total' then 'WLD'
            else iso2_to_iso3.country_iso3
        end as country_iso3,
        uncovered.value_usd,
        uncovered.quantity_t,
        uncovered.net_weight_kg,
        uncovered.china_export_share
    from uncovered
    left join iso2_to_iso3
        on
            uncovered.vintage = iso2_to_iso3.vintage
            and uncovered.country_iso2 = iso2_to_iso3.country_iso2

)

select * from with_iso
