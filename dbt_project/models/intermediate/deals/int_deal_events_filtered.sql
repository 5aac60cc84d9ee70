-- Only the register edition in force, and only the register's own columns, so the snapshot
-- of this model records a new version exactly when an analyst changed a row.
with

deal_events as (

    select * from {{ ref('stg_deals__deal_events') }}

),

editions as (

    select * from {{ ref('int_deal_register_editions_ranked') }}
    where is_current

),

filtered as (

    select
        deal_events.deal_id,
        deal_events.event_date_text,
        deal_events.event_date_precision,
        deal_events.status,
        deal_events.note,
        deal_events.source_url,
        deal_events.event_seq,
        deal_events.event_date
    from deal_events
    inner join editions on deal_events.edition = editions.edition

)

select * from filtered
