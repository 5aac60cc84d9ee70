with

source as (

    select * from {{ source('census_hs', 'turkey_by_hs') }}

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
        request_url,
        ---------- numerics
        -- exports: total exports f.a.s.; imports: general imports at customs value, the
        -- same concepts as the census-country totals
        case flow
            when 'export' then all_val_mo
            when 'import' then gen_val_mo
        end as value_usd,
        con_val_mo as imports_for_consumption_usd,
        ---------- dates
        cast(month || '-01' as date) as month_date,
        ---------- metadata
        load_id,
        loaded_at
    from source

)

select * from renamed
