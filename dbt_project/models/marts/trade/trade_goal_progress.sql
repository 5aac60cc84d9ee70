with

monthly as (

    select * from {{ ref('us_turkey_trade_monthly') }}
    where total_trade_t12m_usd is not null

),

pending_deal_periods as (

    select * from {{ ref('int_pending_deal_periods_filtered') }}

),

with_growth as (

    select
        this_month.month_date,
        this_month.total_trade_t12m_usd,
        cast({{ var('trade_goal_usd') }} as decimal(18, 0)) as goal_usd,
        -- compound annual growth of the trailing-12-month total over the last five years
        round(
            (
                power(
                    this_month.total_trade_t12m_usd / five_years_ago.total_trade_t12m_usd, 1 / 5
                ) - 1
            ) * 100,
            4
        ) as cagr_5y_pct,
        -- the same total against the twelve months ending a year earlier
        round(
            (this_month.total_trade_t12m_usd / one_year_ago.total_trade_t12m_usd - 1) * 100, 4
        ) as total_trade_t12m_yoy_pct,
        this_month.vintage
    from monthly as this_month
    left join monthly as five_years_ago
        on five_years_ago.month_date = this_month.month_date - interval 60 months
    left join monthly as one_year_ago
        on one_year_ago.month_date = this_month.month_date - interval 12 months

),

announced_by_month as (

    -- deals announced but not yet delivered at the end of each month (see the model)
    select
        monthly.month_date,
        sum(pending_deal_periods.value_usd) filter (
            where not pending_deal_periods.is_value_estimate
        ) as announced_deal_value_usd,
        count(*) filter (where not pending_deal_periods.is_value_estimate)
            as announced_deal_count,
        sum(pending_deal_periods.value_usd) as announced_deal_value_incl_estimates_usd,
        count(*) as announced_deal_count_incl_estimates
    from monthly
    inner join pending_deal_periods
        on
            pending_deal_periods.valid_from <= last_day(monthly.month_date)
            and (
                pending_deal_periods.valid_to is null
                or pending_deal_periods.valid_to > last_day(monthly.month_date)
            )
    group by monthly.month_date

),

with_announced as (

    select
        with_growth.*,
        cast(coalesce(announced_by_month.announced_deal_value_usd, 0) as decimal(18, 0))
            as announced_deal_value_usd,
        coalesce(announced_by_month.announced_deal_count, 0) as announced_deal_count,
        cast(
            coalesce(announced_by_month.announced_deal_value_incl_estimates_usd, 0)
            as decimal(18, 0)
        ) as announced_deal_value_incl_estimates_usd,
        coalesce(announced_by_month.announced_deal_count_incl_estimates, 0)
            as announced_deal_count_incl_estimates
    from with_growth
    left join announced_by_month on with_growth.month_date = announced_by_month.month_date

),

final as (

    select
        month_date,
        total_trade_t12m_usd,
        goal_usd,
        goal_usd - total_trade_t12m_usd as gap_usd,
        round(total_trade_t12m_usd / goal_usd * 100, 4) as pct_of_goal,
        cagr_5y_pct,
        {{ projected_goal_year('month_date', 'total_trade_t12m_usd', 'goal_usd', 'cagr_5y_pct') }}
            as projected_goal_year,
        total_trade_t12m_yoy_pct,
        {{ projected_goal_year(
            'month_date', 'total_trade_t12m_usd', 'goal_usd', 'total_trade_t12m_yoy_pct'
        ) }} as projected_goal_year_t12m,
        announced_deal_value_usd,
        announced_deal_count,
        announced_deal_value_incl_estimates_usd,
        announced_deal_count_incl_estimates,
        vintage,
        month_date as as_of_month  -- deprecated alias of month_date, kept for old queries
    from with_announced

)

select * from final
order by month_date
