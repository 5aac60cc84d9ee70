with

source as (

    select * from {{ source('baci', 'atlas_trade') }}

),

renamed as (

    select
        ---------- ids
        exporter as exporter_iso3,
        importer as importer_iso3,
        hs6 as hs_code,
        hs6,
        ---------- strings
        vintage,
        hs_revision,
        material,
        ---------- numerics
        year,
        value_kusd,
        cast(round(value_kusd * 1000) as decimal(18, 0)) as value_usd,
        qty_t as quantity_t,
        round(qty_t * 1000, 3) as net_weight_kg,
        ---------- metadata
        load_id,
        loaded_at
    from source

)

select * from renamed
