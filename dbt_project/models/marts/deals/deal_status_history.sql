with

periods as (

    select * from {{ ref('int_deal_status_periods_sequenced') }}

),

final as (

    select
        deal_id,
        period_number,
        status,
        previous_status,
        is_status_change,
        valid_from,
        valid_from_precision,
        valid_to,
        valid_to_precision,
        is_current,
        note,
        source_url,
        period_basis
    from periods

)

select * from final
order by deal_id, period_number
