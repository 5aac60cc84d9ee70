with

source as (

    select * from {{ source('deals', 'deal_trade_links') }}

),

renamed as (

    select
        ---------- ids
        deal_id,
        edition,
        hs_code,
        ---------- strings
        hs_description,
        flow,
        expected_from,
        expected_from_date_precision,
        expected_to,
        expected_to_date_precision,
        note,
        source_url,
        ---------- numerics
        length(hs_code) as hs_level,
        ---------- dates
        expected_from_date,
        expected_to_date,
        ---------- metadata
        load_id,
        loaded_at
    from source

)

select * from renamed
