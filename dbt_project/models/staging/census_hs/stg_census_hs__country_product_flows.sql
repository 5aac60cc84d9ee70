with

source as (

    select * from {{ source('census_hs', 'hs_by_country') }}

),

renamed as (

    select
        ---------- ids
        cty_code as partner_census_code,
        commodity as hs_code,
        ---------- strings
        cty_name as partner_name,
        flow,
        comm_lvl as hs_level,
        commodity_sdesc as hs_short_description,
        commodity_ldesc as hs_description,
        vintage,
        source_file,
        ---------- numerics
        case flow
            when 'export' then all_val_mo
            when 'import' then gen_val_mo
        end as value_usd,
        ---------- booleans
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
