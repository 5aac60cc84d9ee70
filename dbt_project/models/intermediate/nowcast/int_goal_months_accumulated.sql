-- U.S.-Turkey trade per flow (export, import and their total) and month, each month from the
-- newest vintage that publishes it, with the year-to-date sum and, for complete years, the
-- share of the year's total those months held
with

monthly_flows as (

    select * from {{ ref('int_monthly_flows_deduplicated') }}
    where partner_census_code = '{{ var("turkey_census_code") }}'

),

by_flow as (

    select
        month_date,
        flow,
        value_usd
    from monthly_flows

    union all

    select
        month_date,
        'total' as flow,
        sum(value_usd) as value_usd
    from monthly_flows
    group by month_date
    having count(*) = 2

),

accumulated as (

    select
        flow,
        month_date,
        year(month_date) as year,
        month(month_date) as month,
        value_usd,
        cast(sum(value_usd) over year_to_date as decimal(18, 0)) as ytd_usd,
        count(*) over year_to_date as ytd_months,
        count(*) over whole_year as months_in_year,
        cast(sum(value_usd) over whole_year as decimal(18, 0)) as year_sum_usd
    from by_flow
    window
        year_to_date as (
            partition by flow, year(month_date)
            order by month_date
            rows between unbounded preceding and current row
        ),
        whole_year as (partition by flow, year(month_date))

),

final as (

    select
        flow,
        month_date,
        year,
        month,
        value_usd,
        ytd_usd,
        -- the sum of the year's twelve months (not the publisher's annual column), so that
        -- shares and totals come from the same numbers
        case when months_in_year = 12 then year_sum_usd end as year_total_usd,
        case when months_in_year = 12 then ytd_usd / year_sum_usd end as ytd_share
    from accumulated
    -- a gap in the year would make the year-to-date sum too small
    where ytd_months = month

)

select * from final
