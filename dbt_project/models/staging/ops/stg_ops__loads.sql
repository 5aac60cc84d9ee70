with

source as (

    select * from {{ source('ops', 'loads') }}

),

renamed as (

    select
        ---------- ids
        load_id,
        payload_sha256,
        ---------- strings
        source as source_name,
        dataset as dataset_name,
        status as load_status,
        vintage,
        chunk,
        origin,
        error,
        ---------- numerics
        row_count,
        ---------- timestamps
        started_at,
        finished_at
    from source

)

select * from renamed
