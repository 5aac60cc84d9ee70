with

source as (

    select * from {{ source('beylikova', 'facts') }}

),

renamed as (

    select
        ---------- ids
        fact_id,
        ---------- strings
        subject,
        attribute,
        value as value_text,
        unit,
        as_of_or_event_date,
        claimant,
        source_name,
        source_url as source_urls,
        source_published,
        confidence_note,
        ---------- numerics
        source_row,
        ---------- metadata
        load_id,
        loaded_at
    from source

)

select * from renamed
