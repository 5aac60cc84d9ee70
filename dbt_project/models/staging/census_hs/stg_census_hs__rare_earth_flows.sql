with

source as (

    select * from {{ source('census_hs', 'rare_earths_by_partner') }}

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
        commodity_stem,
        coalesce(qty_1_mo_flag, gen_qy1_mo_flag) as quantity_flag,
        unit_qy1 as quantity_unit,
        request_url,
        ---------- numerics
        case flow
            when 'export' then all_val_mo
            when 'import' then gen_val_mo
        end as value_usd,
        con_val_mo as imports_for_consumption_usd,
        -- as published: "0" can mean zero or not available
        coalesce(qty_1_mo, gen_qy1_mo) as quantity_published,
        ---------- booleans
        -- the world row is '-', groupings start with 0 (EU, OECD …) or end in XXX (regions);
        -- decided by code, not SUMMARY_LVL, which marks the world row 'DET'
        coalesce(regexp_full_match(cty_code, '[1-9][0-9]{3}'), false) as is_country,
        ---------- dates
        cast(month || '-01' as date) as month_date,
        ---------- metadata
        load_id,
        loaded_at
    from source

)

select * from renamed
