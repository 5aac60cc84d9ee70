with

progress as (

    select * from {{ ref('trade_goal_progress') }}

),

target_years as (

    select unnest({{ var('goal_target_years') }}) as target_year

),

with_horizon as (

    select
        progress.month_date,
        target_years.target_year,
        progress.total_trade_t12m_usd,
        progress.goal_usd,
        -- years from the month to December of the target year, when the trailing
        -- twelve months are that calendar year
        (
            target_years.target_year * 12 + 12
            - (year(progress.month_date) * 12 + month(progress.month_date))
        ) / 12 as years_remaining
    from progress
    cross join target_years

),

final as (

    select
        month_date,
        target_year,
        total_trade_t12m_usd,
        goal_usd,
        years_remaining,
        case
            when years_remaining > 0
                then round(
                    (power(goal_usd / total_trade_t12m_usd, 1 / years_remaining) - 1) * 100, 4
                )
        end as required_annual_growth_pct,
        month_date as as_of_month  -- deprecated alias of month_date, kept for old queries
    from with_horizon

)

select * from final
order by month_date, target_year
