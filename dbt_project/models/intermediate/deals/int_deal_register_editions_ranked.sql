-- The register in force is the one the latest deals load saw: a load of a version seen
-- before is recorded as skipped, so reverting an edit brings the earlier edition back.
with

loads as (

    select * from {{ ref('stg_ops__loads') }}
    where
        source_name = 'deals'
        and dataset_name = 'register'
        and load_status in ('ok', 'skipped')
        and payload_sha256 is not null

),

editions as (

    select
        -- the edition is the first 12 hex digits of the payload's SHA-256 (sources/deals.py)
        left(payload_sha256, 12) as edition,
        min(finished_at) as first_seen_at,
        max(finished_at) as last_seen_at
    from loads
    group by left(payload_sha256, 12)

),

ranked as (

    select
        edition,
        first_seen_at,
        last_seen_at,
        row_number() over (order by last_seen_at desc) = 1 as is_current
    from editions

)

select * from ranked
