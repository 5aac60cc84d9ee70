with

nowcasts as (

    select * from {{ ref('int_goal_nowcasts_backtested') }}
    where year >= 1995

),

selected_method as (

    select distinct method from {{ ref('trade_goal_nowcast_backtest') }}
    where is_selected_method

),

pivoted as (

    select
        {% for flow, name in [('total', 'total'), ('export', 'exports'), ('import', 'imports')] -%}
            max(nowcasts.ytd_usd) filter (where nowcasts.flow = '{{ flow }}')
                as ytd_{{ name }}_usd,
            max(nowcasts.nowcast_usd) filter (where nowcasts.flow = '{{ flow }}')
                as nowcast_{{ name }}_usd,
            max(nowcasts.nowcast_low_usd) filter (where nowcasts.flow = '{{ flow }}')
                as nowcast_{{ name }}_low_usd,
            max(nowcasts.nowcast_high_usd) filter (where nowcasts.flow = '{{ flow }}')
                as nowcast_{{ name }}_high_usd,
        {% endfor -%}
        nowcasts.as_of_month,
        nowcasts.year,
        nowcasts.months_published,
        nowcasts.method
    from nowcasts
    inner join selected_method on nowcasts.method = selected_method.method
    group by all

),

final as (

    select
        as_of_month,
        year,
        months_published,
        ytd_total_usd,
        nowcast_total_usd,
        nowcast_total_low_usd as nowcast_low_usd,
        nowcast_total_high_usd as nowcast_high_usd,
        round(nowcast_total_usd / {{ var('trade_goal_usd') }} * 100, 4) as nowcast_pct_of_goal,
        ytd_exports_usd,
        nowcast_exports_usd,
        nowcast_exports_low_usd,
        nowcast_exports_high_usd,
        ytd_imports_usd,
        nowcast_imports_usd,
        nowcast_imports_low_usd,
        nowcast_imports_high_usd,
        method,
        {% for target_year in var('goal_target_years') -%}
            -- constant month-on-month growth taking this year's nowcast to the goal then
            case
                when {{ target_year }} > year
                    then round((power(
                        {{ var('trade_goal_usd') }} / nowcast_total_usd,
                        1 / (12 * ({{ target_year }} - year))
                    ) - 1) * 100, 4)
            end as required_monthly_growth_{{ target_year }}_pct,
        {% endfor -%}
        cast(round(ytd_total_usd / months_published) as decimal(18, 0)) as ytd_run_rate_usd,
        -- what each remaining month of this year must average for the year to reach the goal
        case
            when months_published < 12
                then cast(greatest(
                    round(({{ var('trade_goal_usd') }} - ytd_total_usd) / (12 - months_published)),
                    0
                ) as decimal(18, 0))
        end as required_run_rate_usd
    from pivoted

)

select * from final
order by as_of_month
