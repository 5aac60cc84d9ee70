-- The plain nowcast: the year-to-date total divided by the median share that the same months
-- held of the year's total in up to ten earlier complete years (at least three). Only years
-- before the as-of year are used, all of them complete by then.
with

months as (

    select * from {{ ref('int_goal_months_accumulated') }}

),

shares as (

    select
        this_month.flow,
        this_month.month_date as as_of_month,
        median(earlier.ytd_share) as median_share,
        count(*) as share_years
    from months as this_month
    inner join months as earlier
        on
            this_month.flow = earlier.flow
            and this_month.month = earlier.month
            and earlier.year between this_month.year - 10 and this_month.year - 1
            and earlier.ytd_share is not null
    group by this_month.flow, this_month.month_date

),

final as (

    select
        'plain' as method,  -- noqa: RF04
        months.flow,
        months.month_date as as_of_month,
        months.year,
        months.month as months_published,
        months.ytd_usd,
        cast(round(months.ytd_usd / shares.median_share) as decimal(18, 0)) as nowcast_usd
    from months
    inner join shares
        on months.flow = shares.flow and months.month_date = shares.as_of_month
    where shares.share_years >= 3

)

select * from final
