with

nowcasts as (

    select * from {{ ref('int_goal_nowcasts_backtested') }}
    -- the backtest starts in 1995 (ten years of earlier seasons for the plain method) and
    -- needs the year's actual total; a December as-of month already knows it
    where year >= 1995 and actual_usd is not null and months_published < 12

),

errors as (

    select
        *,
        nowcast_usd - actual_usd as error_usd,
        abs(nowcast_usd - actual_usd) / actual_usd * 100 as abs_pct_error,
        case
            when nowcast_low_usd is not null
                then actual_usd between nowcast_low_usd and nowcast_high_usd
        end as is_within_interval
    from nowcasts

),

scored as (

    select
        *,
        round(avg(abs_pct_error) over month_of_year, 4) as mape_pct,
        round(avg(cast(is_within_interval as integer)) over month_of_year * 100, 2)
            as interval_coverage_pct,
        round(avg(abs_pct_error) over whole_backtest, 4) as overall_mape_pct,
        round(avg(cast(is_within_interval as integer)) over whole_backtest * 100, 2)
            as overall_interval_coverage_pct
    from errors
    window
        month_of_year as (partition by method, flow, months_published),
        whole_backtest as (partition by method, flow)

),

method_ranked as (

    -- the method the backtest favours: the lower mean absolute percentage error of the total
    select
        method,
        row_number() over (order by avg(abs_pct_error), method) = 1 as is_selected_method
    from errors
    where flow = 'total'
    group by method

),

final as (

    select
        scored.method,
        scored.flow,
        scored.as_of_month,
        scored.year,
        scored.months_published,
        scored.ytd_usd,
        scored.nowcast_usd,
        scored.nowcast_low_usd,
        scored.nowcast_high_usd,
        scored.actual_usd,
        scored.error_usd,
        round(scored.abs_pct_error, 4) as abs_pct_error,
        scored.is_within_interval,
        scored.interval_error_years,
        scored.mape_pct,
        scored.interval_coverage_pct,
        scored.overall_mape_pct,
        scored.overall_interval_coverage_pct,
        method_ranked.is_selected_method
    from scored
    inner join method_ranked on scored.method = method_ranked.method

)

select * from final
order by method, flow, as_of_month
