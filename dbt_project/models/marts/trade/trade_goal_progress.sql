with

monthly as (

    select * from {{ ref('us_turkey_trade_monthly') }}
    where total_trade_t12m_usd is not null

),

with_growth as (

    select
        this_month.month_date as as_of_month,
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
        this_month.vintage
    from monthly as this_month
    left join monthly as five_years_ago
        on five_years_ago.month_date = this_month.month_date - interval 60 months

),

final as (

    select
        as_of_month,
        total_trade_t12m_usd,
        goal_usd,
        goal_usd - total_trade_t12m_usd as gap_usd,
        round(total_trade_t12m_usd / goal_usd * 100, 4) as pct_of_goal,
        cagr_5y_pct,
        case
            when total_trade_t12m_usd >= goal_usd then year(as_of_month)
            when cagr_5y_pct > 0
                -- months until the trailing total reaches the goal at that growth rate
                then year(
                    as_of_month + to_months(cast(ceil(
                        ln(goal_usd / total_trade_t12m_usd) / ln(1 + cagr_5y_pct / 100) * 12
                    ) as integer))
                )
        end as projected_goal_year,
        vintage
    from with_growth

)

select * from final
order by as_of_month
