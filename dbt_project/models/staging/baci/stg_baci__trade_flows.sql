with

source as (

    select * from {{ source('baci', 'trade_flows') }}

),

renamed as (

    select
        ---------- ids
        i as exporter_code,
        j as importer_code,
        k as hs_code,
        -- some tools strip the leading zero of chapters 01-09; the code is six digits
        lpad(k, 6, '0') as hs6,
        ---------- strings
        vintage,
        hs_revision,
        ---------- numerics
        t as year,  -- noqa: RF04
        v as value_kusd,
        -- thousands with three decimals are whole dollars: rounding drops float noise only
        cast(round(v * 1000) as decimal(18, 0)) as value_usd,
        q as quantity_t,
        round(q * 1000, 3) as net_weight_kg,
        ---------- metadata
        load_id,
        loaded_at
    from source

)

select * from renamed
