with

source as (

    select * from {{ source('census_country', 'monthly_flows') }}

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
        month,
        -- published in millions with at most six decimals, i.e. whole dollars: rounding
        -- to the dollar only removes binary-float noise such as 180549.80000000002
        value_musd,
        cast(round(value_musd * 1000000) as decimal(18, 0)) as value_usd,
        ---------- booleans
        is_rounded,
        census_code >= '1000' as is_country,
        ---------- dates
        make_date(year, month, 1) as month_date,
        cast(vintage || '-01' as date) as vintage_month,
        ---------- metadata
        load_id,
        loaded_at
    from source

)

select * from renamed
