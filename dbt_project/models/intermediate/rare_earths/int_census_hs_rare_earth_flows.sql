-- The census branch of int_rare_earth_flows_unioned: U.S.-reported rare-earth trade by
-- partner country and month, HS10 detail kept in hs_code and rolled up to hs6.
with

rare_earth_flows as (

    select * from {{ ref('stg_census_hs__rare_earth_flows') }}
    where is_country

),

census_codes as (

    select * from {{ ref('stg_reference__census_country_codes') }}

),

countries as (

    select * from {{ ref('stg_reference__countries') }}

),

with_partners as (

    select
        rare_earth_flows.*,
        countries.country_iso3 as partner_iso3
    from rare_earth_flows
    left join census_codes
        on rare_earth_flows.partner_census_code = census_codes.census_country_code
    left join countries
        on census_codes.country_iso2 = countries.country_iso2

),

final as (

    select
        'census' as source,
        'USA' as reporter_iso3,
        partner_iso3,
        flow,
        hs_code,
        left(hs_code, 6) as hs6,
        -- the union's column names, shared by every rare-earth source
        year(month_date) as year,  -- noqa: RF04
        month(month_date) as month,  -- noqa: RF04
        cast(value_usd as decimal(18, 0)) as value_usd,
        -- the flag codes are undocumented, so a published 0 cannot be told from "not
        -- available": it is null, never a zero; '-' means no unit applies
        case
            when lower(quantity_unit) = 'kg' and quantity_published > 0
                then cast(quantity_published as decimal(18, 0))
        end as net_weight_kg,
        case
            when quantity_unit != '-' and quantity_published > 0
                then cast(quantity_published as decimal(18, 0))
        end as quantity,
        nullif(quantity_unit, '-') as quantity_unit,
        -- exports are valued f.a.s., general imports at customs value (neither is c.i.f.)
        case flow when 'export' then 'fas' else 'customs' end as valuation,
        'USA' as reported_by,
        -- the API has no release id and serves only its current vintage: the retrieval date
        strftime(loaded_at, '%Y-%m-%d') as vintage
    from with_partners

)

select * from final
