with

annual_totals as (

    select * from {{ ref('int_annual_totals_deduplicated') }}
    where partner_census_code = '{{ var("turkey_census_code") }}'

),

monthly as (

    select * from {{ ref('us_turkey_trade_monthly') }}

),

months_per_year as (

    select
        year(month_date) as year,
        count(*) as months_reported,
        min(month_date) as first_month_date,
        max(month_date) as last_month_date
    from monthly
    group by year(month_date)

),

pivoted as (

    -- the publisher's own annual columns: rounded months need not add up to them
    select
        year,
        cast(sum(value_usd) filter (where flow = 'export') as decimal(18, 0)) as us_exports_usd,
        cast(sum(value_usd) filter (where flow = 'import') as decimal(18, 0)) as us_imports_usd,
        max(vintage) as vintage,
        bool_or(is_rounded) as is_rounded
    from annual_totals
    group by year

),

with_totals as (

    select
        pivoted.*,
        pivoted.us_exports_usd + pivoted.us_imports_usd as total_trade_usd,
        pivoted.us_exports_usd - pivoted.us_imports_usd as trade_balance_usd,
        coalesce(months_per_year.months_reported, 0) as months_reported,
        months_per_year.first_month_date,
        months_per_year.last_month_date,
        coalesce(months_per_year.months_reported, 0) = 12 as is_complete_year
    from pivoted
    left join months_per_year on pivoted.year = months_per_year.year

),

final as (

    select
        this_year.year,
        this_year.us_exports_usd,
        this_year.us_imports_usd,
        this_year.total_trade_usd,
        this_year.trade_balance_usd,
        this_year.months_reported,
        this_year.first_month_date,
        this_year.last_month_date,
        this_year.is_complete_year,
        case
            when this_year.is_complete_year and last_year.is_complete_year
                then round((this_year.total_trade_usd / last_year.total_trade_usd - 1) * 100, 4)
        end as total_trade_yoy_pct,
        -- the goal is a calendar-year total: a part year is not a share of it
        case
            when this_year.is_complete_year
                then round(this_year.total_trade_usd / {{ var('trade_goal_usd') }} * 100, 4)
        end as pct_of_goal,
        this_year.vintage,
        this_year.is_rounded
    from with_totals as this_year
    left join with_totals as last_year on this_year.year = last_year.year + 1

)

select * from final
order by year
