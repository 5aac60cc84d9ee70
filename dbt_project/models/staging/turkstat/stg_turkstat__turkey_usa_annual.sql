with

source as (

    select * from {{ source('turkstat', 'turkey_usa_annual') }}

),

renamed as (

    select
        ---------- strings
        series,
        source_url,
        note,
        ---------- numerics
        year,
        turkey_exports_to_usa_usd_mn,
        turkey_imports_from_usa_usd_mn,
        cast(round(turkey_exports_to_usa_usd_mn * 1000000) as decimal(18, 0))
            as turkey_exports_to_usa_usd,
        cast(round(turkey_imports_from_usa_usd_mn * 1000000) as decimal(18, 0))
            as turkey_imports_from_usa_usd,
        ---------- booleans
        is_secondary,
        ---------- metadata
        load_id,
        loaded_at
    from source

)

select * from renamed
