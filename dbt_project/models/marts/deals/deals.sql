with

deals as (

    select * from {{ ref('int_deals_filtered') }}
    -- goals and targets (the $100bn trade goal) are not deals: marts.trade_goals has them
    where deal_type != 'target'

),

periods as (

    select * from {{ ref('int_deal_status_periods_sequenced') }}

),

links as (

    select * from {{ ref('int_deal_trade_links_filtered') }}

),

current_periods as (

    select
        deal_id,
        valid_from as status_date,
        valid_from_precision as status_date_precision
    from periods
    where is_current

),

event_counts as (

    select
        deal_id,
        count(*) filter (where period_basis = 'event') as event_count
    from periods
    group by deal_id

),

linked_codes as (

    select
        deal_id,
        string_agg(hs_code, ', ' order by hs_code) as linked_hs_codes,
        count(*) as linked_hs_code_count
    from links
    group by deal_id

),

final as (

    select
        deals.deal_id,
        deals.announced_on,
        deals.announced_date,
        deals.announced_date_precision,
        deals.title,
        deals.parties,
        deals.country_a_iso3,
        deals.country_b_iso3,
        deals.sector,
        deals.commodity,
        deals.deal_type,
        deals.value_usd,
        deals.is_value_estimate,
        deals.value_basis,
        deals.is_value_recurring,
        deals.value_note,
        deals.status,
        current_periods.status_date,
        current_periods.status_date_precision,
        event_counts.event_count,
        linked_codes.linked_hs_codes,
        coalesce(linked_codes.linked_hs_code_count, 0) as linked_hs_code_count,
        deals.source_name,
        deals.source_url
    from deals
    inner join current_periods on deals.deal_id = current_periods.deal_id
    inner join event_counts on deals.deal_id = event_counts.deal_id
    left join linked_codes on deals.deal_id = linked_codes.deal_id

)

select * from final
order by deal_id
