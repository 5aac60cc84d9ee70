-- Goals and targets from the deals register (the $100bn trade goal): stated aims, not deals,
-- so no deal value ranking or sum includes them.
with

deals as (

    select * from {{ ref('int_deals_filtered') }}
    where deal_type = 'target'

),

periods as (

    select * from {{ ref('int_deal_status_periods_sequenced') }}

),

statements as (

    select
        deal_id,
        count(*) filter (where period_basis = 'event') as event_count,
        count(*) filter (where period_basis = 'event' and status = 'announced')
            as statement_count,
        max(valid_from) filter (where status = 'announced') as last_stated_date,
        max(valid_from) filter (where is_current) as status_date,
        max(valid_from_precision) filter (where is_current) as status_date_precision
    from periods
    group by deal_id

),

final as (

    select
        deals.deal_id as goal_id,
        deals.announced_on,
        deals.announced_date,
        deals.announced_date_precision,
        deals.title,
        deals.parties,
        deals.country_a_iso3,
        deals.country_b_iso3,
        deals.sector,
        deals.commodity,
        deals.value_usd as goal_value_usd,
        deals.value_basis,
        deals.is_value_recurring,
        deals.value_note,
        deals.status,
        statements.status_date,
        statements.status_date_precision,
        statements.event_count,
        statements.statement_count,
        statements.last_stated_date,
        deals.source_name,
        deals.source_url
    from deals
    inner join statements on deals.deal_id = statements.deal_id

)

select * from final
order by goal_id
