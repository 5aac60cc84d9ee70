with

source as (

    select * from {{ source('baci', 'atlas_summary') }}

),

renamed as (

    select
        ---------- ids
        hs6,
        country_iso2,
        ---------- strings
        vintage,
        dataset,
        hs_vintage as hs_revision,
        flow_role,
        country_name,
        note,
        source_url,
        ---------- numerics
        year,
        cast(value_usd as decimal(18, 0)) as value_usd,
        quantity_tonnes as quantity_t,
        round(quantity_tonnes * 1000, 3) as net_weight_kg,
        share_of_world,
        china_export_share,
        ---------- metadata
        load_id,
        loaded_at
    from source

)

select * from renamed
