-- Both methods' nowcasts beside the year's actual total, with an 80 % interval from the
-- errors the same method made at the same month of the year in earlier years only (at least
-- five). Split-conformal: with n earlier errors |ln(actual / nowcast)| sorted, the
-- ceil((n + 1) * 0.8)-th one bounds 80 % of errors even for small n; plain 10th/90th
-- percentiles of so few errors covered only ~73 % in the backtest.
with

plain as (

    select * from {{ ref('int_goal_nowcasts_estimated') }}

),

seasonal as (

    select * from {{ ref('int_goal_nowcasts_forecasted') }}

),

months as (

    select * from {{ ref('int_goal_months_accumulated') }}

),

nowcasts as (

    select * from plain
    union all by name
    select * from seasonal

),

with_actual as (

    select
        nowcasts.*,
        year_end.year_total_usd as actual_usd,
        year_end.year_total_usd / nowcasts.nowcast_usd as actual_ratio
    from nowcasts
    left join months as year_end
        on
            nowcasts.flow = year_end.flow
            and nowcasts.year = year_end.year
            and year_end.month = 12

),

earlier_errors as (

    select
        this_year.method,
        this_year.flow,
        this_year.as_of_month,
        list_sort(list(abs(ln(earlier.actual_ratio)))) as sorted_log_errors,
        count(*) as error_years
    from with_actual as this_year
    inner join with_actual as earlier
        on
            this_year.method = earlier.method
            and this_year.flow = earlier.flow
            and this_year.months_published = earlier.months_published
            and this_year.year > earlier.year
            and earlier.actual_ratio is not null
    group by this_year.method, this_year.flow, this_year.as_of_month

),

error_bounds as (

    select
        *,
        sorted_log_errors[cast(ceil((error_years + 1) * 0.8) as integer)] as log_error_bound
    from earlier_errors

),

final as (

    select
        with_actual.method,
        with_actual.flow,
        with_actual.as_of_month,
        with_actual.year,
        with_actual.months_published,
        with_actual.ytd_usd,
        with_actual.nowcast_usd,
        case
            when error_bounds.error_years >= 5
                then cast(round(
                    with_actual.nowcast_usd * exp(-error_bounds.log_error_bound)
                ) as decimal(18, 0))
        end as nowcast_low_usd,
        case
            when error_bounds.error_years >= 5
                then cast(round(
                    with_actual.nowcast_usd * exp(error_bounds.log_error_bound)
                ) as decimal(18, 0))
        end as nowcast_high_usd,
        coalesce(error_bounds.error_years, 0) as interval_error_years,
        with_actual.actual_usd
    from with_actual
    left join error_bounds
        on
            with_actual.method = error_bounds.method
            and with_actual.flow = error_bounds.flow
            and with_actual.as_of_month = error_bounds.as_of_month

)

select * from final
