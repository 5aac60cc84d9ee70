with

source as (

    select * from {{ source('baci', 'atlas_flows') }}

),

renamed as (

    select
        ---------- ids
        i as exporter_iso3,
        j as importer_iso3,
        cmd as hs_code,
        cmd as hs6,
        ---------- strings
        vintage,
        hs_revision,
        ---------- numerics
        year,
        -- the extractor wrote USD with float artefacts (1000.9999999999999): whole dollars
        cast(round(value) as decimal(18, 0)) as value_usd,
        ---------- metadata
        load_id,
        loaded_at
    from source

)

select * from renamed
