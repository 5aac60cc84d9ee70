with

monthly_flows as (

    select * from {{ ref('int_monthly_flows_deduplicated') }}
    where partner_census_code = '{{ var("turkey_census_code") }}'

),

pivoted as (

    select
        month_date,
        cast(sum(value_usd) filter (where flow = 'export') as decimal(18, 0)) as us_exports_usd,
        cast(sum(value_usd) filter (where flow = 'import') as decimal(18, 0)) as us_imports_usd,
        max(vintage) as vintage,
        bool_or(is_rounded) as is_rounded
    from monthly_flows
    group by month_date

),

with_totals as (

    select
        *,
        us_exports_usd + us_imports_usd as total_trade_usd,
        us_exports_usd - us_imports_usd as trade_balance_usd
    from pivoted

),

with_trailing as (

    select
        *,
        -- a trailing total needs all twelve months; fewer would understate it
        case
            when count(total_trade_usd) over trailing_year = 12
                then sum(total_trade_usd) over trailing_year
        end as total_trade_t12m_usd
    from with_totals
    window trailing_year as (
        order by month_date
        range between interval 11 months preceding and current row
    )

),

final as (

    select
        this_month.month_date,
        this_month.us_exports_usd,
        this_month.us_imports_usd,
        this_month.total_trade_usd,
        this_month.trade_balance_usd,
        cast(this_month.total_trade_t12m_usd as decimal(18, 0)) as total_trade_t12m_usd,
        round((this_month.total_trade_usd / year_ago.total_trade_usd - 1) * 100, 4)
            as total_trade_yoy_pct,
        this_month.vintage,
        this_month.is_rounded
    from with_trailing as this_month
    left join with_totals as year_ago
        on year_ago.month_date = this_month.month_date - interval 12 months

)

select * from final
order by month_date
