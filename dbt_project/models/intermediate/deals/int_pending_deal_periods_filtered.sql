-- "Announced but not yet delivered": a U.S.–Turkey deal with a stated one-off value while
-- it is announced, in talks, signed or in progress. Operational (delivered or in force),
-- stalled and cancelled deals are out, and so is any yearly figure: the $100bn trade goal
-- is the target itself, not a deal value, and a per-year value has no total.
with

deals as (

    select * from {{ ref('int_deals_filtered') }}

),

periods as (

    select * from {{ ref('int_deal_status_periods_sequenced') }}

),

filtered as (

    select
        periods.deal_id,
        periods.period_number,
        periods.status,
        periods.valid_from,
        periods.valid_to,
        deals.value_usd,
        deals.value_basis,
        deals.is_value_estimate
    from periods
    inner join deals on periods.deal_id = deals.deal_id
    where
        least(deals.country_a_iso3, deals.country_b_iso3) = 'TUR'
        and greatest(deals.country_a_iso3, deals.country_b_iso3) = 'USA'
        and deals.value_usd is not null
        and not deals.is_value_recurring
        and deals.deal_type != 'target'
        and periods.status in ('announced', 'talks', 'signed', 'in_progress')

)

select * from filtered
