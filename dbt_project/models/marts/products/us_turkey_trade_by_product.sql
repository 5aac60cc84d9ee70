with

product_flows as (

    select * from {{ ref('int_turkey_product_flows_prioritised') }}

),

-- a month is published for a flow and level when its chunk brought any row; within a
-- published month a product without a row had no recorded trade
published_months as (

    select distinct
        flow,
        hs_level,
        month_date
    from product_flows

),

published_months_counted as (

    select
        flow,
        hs_level,
        month_date,
        count(*) over trailing_year as published_months_in_trailing_year
    from published_months
    window trailing_year as (
        partition by flow, hs_level
        order by month_date
        range between interval 11 months preceding and current row
    )

),

flow_totals as (

    select
        flow,
        hs_level,
        month_date,
        sum(value_usd) as flow_total_usd
    from product_flows
    group by flow, hs_level, month_date

),

with_trailing as (

    select
        *,
        sum(value_usd) over trailing_year as value_trailing_sum_usd
    from product_flows
    window trailing_year as (
        partition by flow, hs_level, hs_code
        order by month_date
        range between interval 11 months preceding and current row
    )

),

final as (

    select
        this_month.month_date,
        this_month.flow,
        this_month.hs_level,
        this_month.hs_code,
        this_month.hs_description,
        cast(this_month.value_usd as decimal(18, 0)) as value_usd,
        -- only over twelve published months; fewer would understate it
        case
            when published_months_counted.published_months_in_trailing_year = 12
                then cast(this_month.value_trailing_sum_usd as decimal(18, 0))
        end as value_t12m_usd,
        round(this_month.value_usd / nullif(flow_totals.flow_total_usd, 0) * 100, 4)
            as share_of_flow_pct,
        round((this_month.value_usd / nullif(year_ago.value_usd, 0) - 1) * 100, 4)
            as yoy_pct,
        this_month.source,
        this_month.vintage
    from with_trailing as this_month
    inner join published_months_counted
        on
            this_month.flow = published_months_counted.flow
            and this_month.hs_level = published_months_counted.hs_level
            and this_month.month_date = published_months_counted.month_date
    inner join flow_totals
        on
            this_month.flow = flow_totals.flow
            and this_month.hs_level = flow_totals.hs_level
            and this_month.month_date = flow_totals.month_date
    left join product_flows as year_ago
        on
            this_month.flow = year_ago.flow
            and this_month.hs_level = year_ago.hs_level
            and this_month.hs_code = year_ago.hs_code
            and year_ago.month_date = this_month.month_date - interval 12 months

)

select * from final
order by month_date, flow, hs_level, hs_code
