-- Every event opens a period that lasts until the deal's next event, so a restatement of
-- the same status keeps its own note and source. A deal without events has one period: its
-- own status from its status_as_of date.
with

deals as (

    select * from {{ ref('int_deals_filtered') }}

),

events as (

    select * from {{ ref('int_deal_events_filtered') }}

),

event_periods as (

    select
        deal_id,
        event_seq as period_seq,
        status,
        event_date as valid_from,
        event_date_precision as valid_from_precision,
        note,
        source_url,
        'event' as period_basis
    from events

),

deal_periods as (

    select
        deals.deal_id,
        1 as period_seq,
        deals.status,
        deals.status_as_of_date as valid_from,
        deals.status_as_of_date_precision as valid_from_precision,
        cast(null as varchar) as note,
        deals.source_url,
        'deal' as period_basis
    from deals
    left join events on deals.deal_id = events.deal_id
    where events.deal_id is null

),

periods as (

    select * from event_periods
    union all
    select * from deal_periods

),

sequenced as (

    select
        deal_id,
        row_number() over deal_periods as period_number,
        status,
        lag(status) over deal_periods as previous_status,
        valid_from,
        valid_from_precision,
        lead(valid_from) over deal_periods as valid_to,
        lead(valid_from_precision) over deal_periods as valid_to_precision,
        note,
        source_url,
        period_basis
    from periods
    window deal_periods as (partition by deal_id order by valid_from, period_seq)

),

final as (

    select
        *,
        valid_to is null as is_current,
        previous_status is null or status != previous_status as is_status_change
    from sequenced

)

select * from final
