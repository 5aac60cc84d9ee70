with

source as (

    select * from {{ source('census_hs', 'country_totals') }}

),

renamed as (

    select
        ---------- ids
        cty_code as partner_census_code,
        ---------- strings
        cty_name as partner_name,
        flow,
        vintage,
        source_file,
        ---------- numerics
        -- exports: total exports f.a.s.; imports: general imports at customs value
        case flow
            when 'export' then all_val_mo
            when 'import' then gen_val_mo
        end as value_usd,
        ---------- booleans
        -- '-' is the world, codes starting with 0 are groupings (OPEC, EU …) and codes
        -- ending in XXX are continents: only four digits from 1000 up are countries
        coalesce(regexp_full_match(cty_code, '[1-9][0-9]{3}'), false) as is_country,
        cty_code = '-' as is_world,
        ---------- dates
        cast(month || '-01' as date) as month_date,
        cast(vintage as date) as retrieved_date,
        ---------- metadata
        load_id,
        loaded_at
    from source

)

select * from renamed
