-- "Announced but not yet delivered": a U.S.–Turkey deal with a stated one-off value, from
-- its announcement, while it is announced, in talks, signed or in progress. Operational
-- (delivered or in force), stalled and cancelled deals are out, and so is any yearly
-- figure: the $100bn trade goal is the target itself, not a deal value, and a per-year
-- value has no total. Talks before the announcement count from the announcement only.
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
        greatest(periods.valid_from, deals.announced_date) as valid_from,
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
        and (periods.valid_to is null or periods.valid_to > deals.announced_date)

)

select * from filtered
