with

source as (

    select * from {{ source('census_country', 'annual_totals') }}

),

renamed as (

    select
        ---------- ids
        census_code as partner_census_code,
        ---------- strings
        partner_name,
        flow,
        vintage,
        ---------- numerics
        year,
        value_musd,
        cast(round(value_musd * 1000000) as decimal(18, 0)) as value_usd,
        ---------- booleans
        is_rounded,
        census_code >= '1000' as is_country,
        ---------- dates
        cast(vintage || '-01' as date) as vintage_month,
        ---------- metadata
        load_id,
        loaded_at
    from source

)

select * from renamed
