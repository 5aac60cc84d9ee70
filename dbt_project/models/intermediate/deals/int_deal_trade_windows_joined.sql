-- U.S.–Turkey trade in each window of a deal's linked HS code. Trade is read at the most
-- detailed HS level the trade data has for the code (a 6-digit link is measured at 4 digits
-- when only headings are published). A window with no month of trade data has a null value;
-- a covered month without a row for the code counts as zero.
with

windows as (

    select * from {{ ref('int_deal_trade_windows_spanned') }}

),

product_trade as (

    select * from {{ ref('int_product_trade_monthly') }}

),

published_levels as (

    select distinct
        flow,
        hs_level
    from product_trade

),

measured_levels as (

    select
        windows.deal_id,
        windows.hs_code,
        max(published_levels.hs_level) as trade_hs_level
    from windows
    inner join published_levels
        on
            windows.flow = published_levels.flow
            and published_levels.hs_level <= length(windows.hs_code)
    where windows.is_us_turkey
    group by windows.deal_id, windows.hs_code

),

windows_measured as (

    select
        windows.*,
        measured_levels.trade_hs_level,
        left(windows.hs_code, measured_levels.trade_hs_level) as trade_hs_code
    from windows
    left join measured_levels
        on
            windows.deal_id = measured_levels.deal_id
            and windows.hs_code = measured_levels.hs_code

),

published_months as (

    select distinct
        flow,
        hs_level,
        month_date
    from product_trade

),

coverage as (

    select
        windows_measured.deal_id,
        windows_measured.hs_code,
        windows_measured.window_name,
        count(published_months.month_date) as months_with_data
    from windows_measured
    left join published_months
        on
            windows_measured.flow = published_months.flow
            and windows_measured.trade_hs_level = published_months.hs_level
            and windows_measured.window_start <= published_months.month_date
            and (
                windows_measured.window_end is null
                or windows_measured.window_end >= published_months.month_date
            )
    group by windows_measured.deal_id, windows_measured.hs_code, windows_measured.window_name

),

trade_in_windows as (

    select
        windows_measured.deal_id,
        windows_measured.hs_code,
        windows_measured.window_name,
        sum(product_trade.value_usd) as value_usd
    from windows_measured
    inner join product_trade
        on
            windows_measured.flow = product_trade.flow
            and windows_measured.trade_hs_level = product_trade.hs_level
            and windows_measured.trade_hs_code = product_trade.hs_code
            and windows_measured.window_start <= product_trade.month_date
            and (
                windows_measured.window_end is null
                or windows_measured.window_end >= product_trade.month_date
            )
    group by windows_measured.deal_id, windows_measured.hs_code, windows_measured.window_name

),

final as (

    select
        windows_measured.deal_id,
        windows_measured.hs_code,
        windows_measured.flow,
        windows_measured.window_name,
        windows_measured.window_order,
        windows_measured.window_start,
        windows_measured.window_end,
        windows_measured.is_us_turkey,
        windows_measured.trade_hs_level,
        windows_measured.trade_hs_code,
        coverage.months_with_data,
        case
            when coverage.months_with_data > 0
                then cast(coalesce(trade_in_windows.value_usd, 0) as decimal(18, 0))
        end as value_usd
    from windows_measured
    inner join coverage
        on
            windows_measured.deal_id = coverage.deal_id
            and windows_measured.hs_code = coverage.hs_code
            and windows_measured.window_name = coverage.window_name
    left join trade_in_windows
        on
            windows_measured.deal_id = trade_in_windows.deal_id
            and windows_measured.hs_code = trade_in_windows.hs_code
            and windows_measured.window_name = trade_in_windows.window_name

)

select * from final
