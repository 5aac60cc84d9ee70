with

known as (

    select * from {{ ref('int_turkey_figures_known_by_release') }}

),

states as (

    -- the newest month then known ends the trailing twelve months
    select
        known_with_release,
        any_value(known_from_date) as known_from_date,
        max(period_date) filter (where period_kind = 'month') as latest_month
    from known
    group by known_with_release

),

states_dated as (

    select
        *,
        lead(known_from_date) over (order by known_from_date) as known_until_date
    from states

),

annual_totals as (

    select
        known_with_release,
        'annual_total_trade' as figure,
        period_date,
        sum(value_usd) as value_usd,
        max(value_release) as value_release
    from known
    where period_kind = 'year'
    group by known_with_release, period_date
    having count(*) = 2

),

monthly_totals as (

    select
        known.known_with_release,
        known.period_date,
        sum(known.value_usd) as value_usd,
        max(known.value_release) as value_release
    from known
    inner join states
        on
            known.known_with_release = states.known_with_release
            and known.period_date > states.latest_month - interval 12 months
            and known.period_date <= states.latest_month
    where known.period_kind = 'month'
    group by known.known_with_release, known.period_date
    having count(*) = 2

),

trailing_totals as (

    select
        monthly_totals.known_with_release,
        't12m_total_trade' as figure,
        states.latest_month as period_date,
        sum(monthly_totals.value_usd) as value_usd,
        max(monthly_totals.value_release) as value_release
    from monthly_totals
    inner join states on monthly_totals.known_with_release = states.known_with_release
    group by monthly_totals.known_with_release, states.latest_month
    having count(*) = 12

),

figures as (

    select * from annual_totals
    union all
    select * from trailing_totals

),

final as (

    select
        states_dated.known_from_date,
        states_dated.known_until_date,
        figures.known_with_release,
        figures.figure,
        figures.period_date,
        cast(figures.value_usd as decimal(18, 0)) as value_usd,
        round(figures.value_usd / {{ var('trade_goal_usd') }} * 100, 4) as pct_of_goal,
        figures.value_release as newest_value_release
    from figures
    inner join states_dated on figures.known_with_release = states_dated.known_with_release

)

select * from final
order by known_from_date, figure, period_date
