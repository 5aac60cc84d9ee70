with

periods as (

    select * from {{ ref('int_deal_status_periods_sequenced') }}

),

deals as (

    select * from {{ ref('int_deals_filtered') }}

),

final as (

    select
        periods.deal_id,
        periods.period_number,
        periods.status,
        periods.previous_status,
        periods.is_status_change,
        periods.valid_from,
        periods.valid_from_precision,
        periods.valid_to,
        periods.valid_to_precision,
        periods.is_current,
        periods.note,
        periods.source_url,
        periods.period_basis,
        deals.deal_type = 'target' as is_trade_goal
    from periods
    inner join deals on periods.deal_id = deals.deal_id

)

select * from final
order by deal_id, period_number
