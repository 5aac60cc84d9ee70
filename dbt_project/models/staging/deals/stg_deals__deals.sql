with

source as (

    select * from {{ source('deals', 'deals') }}

),

renamed as (

    select
        ---------- ids
        deal_id,
        edition,
        country_a as country_a_iso3,
        country_b as country_b_iso3,
        ---------- strings
        announced_on,
        announced_date_precision,
        title,
        parties,
        sector,
        commodity,
        deal_type,
        value_note,
        value_basis,
        status,
        status_as_of,
        status_as_of_date_precision,
        source_name,
        source_url,
        ---------- numerics
        cast(value_usd as decimal(18, 0)) as value_usd,
        ---------- booleans
        is_value_estimate,
        -- a yearly figure (the $100bn goal, a per-year contract value) is no deal total
        coalesce(value_basis in ('annual_target', 'per_year'), false) as is_value_recurring,
        ---------- dates
        announced_date,
        status_as_of_date,
        ---------- metadata
        load_id,
        loaded_at
    from source

)

select * from renamed
