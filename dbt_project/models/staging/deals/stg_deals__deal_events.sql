with

source as (

    select * from {{ source('deals', 'deal_events') }}

),

renamed as (

    select
        ---------- ids
        deal_id,
        edition,
        ---------- strings
        event_date_text,
        event_date_precision,
        status,
        note,
        source_url,
        ---------- numerics
        event_seq,
        ---------- dates
        event_date,
        ---------- metadata
        load_id,
        loaded_at
    from source

)

select * from renamed
