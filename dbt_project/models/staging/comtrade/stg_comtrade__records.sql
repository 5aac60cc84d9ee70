with

source as (

    select * from {{ source('comtrade', 'records') }}

),

renamed as (

    select
        ---------- ids
        reporter_code,
        nullif(reporter_iso, '') as reporter_iso,
        partner_code,
        nullif(partner_iso, '') as partner_iso,
        partner2_code,
        flow_code,
        cmd_code,
        customs_code,
        mot_code,
        classification_code,
        qty_unit_code,
        ---------- strings
        vintage,
        layout,
        freq_code,
        period,
        qty_unit_abbr,
        ---------- numerics
        ref_year as year,  -- noqa: RF04
        case
            when freq_code = 'M' then cast(right(period, 2) as integer)
        end as month,  -- noqa: RF04
        primary_value,
        cif_value,
        fob_value,
        cast(round(primary_value) as decimal(18, 0)) as value_usd,
        net_wgt as net_weight_kg,
        qty as quantity,
        legacy_estimation_flag,
        ---------- booleans
        is_reported,
        is_aggregate,
        is_net_wgt_estimated as is_net_weight_estimated,
        is_qty_estimated as is_quantity_estimated,
        ---------- metadata
        load_id,
        loaded_at
    from source

)

select * from renamed
