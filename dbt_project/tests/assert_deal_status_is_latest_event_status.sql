-- A deal's current status is the status of its latest event (the register validator checks
-- this too; this keeps it true of the mart). Rows returned are the failures.
with

deals as (

    select * from {{ ref('deals') }}

),

current_periods as (

    select * from {{ ref('deal_status_history') }}
    where is_current

),

mismatched as (

    select
        deals.deal_id,
        deals.status,
        current_periods.status as latest_event_status
    from deals
    inner join current_periods on deals.deal_id = current_periods.deal_id
    where deals.status != current_periods.status

)

select * from mismatched
