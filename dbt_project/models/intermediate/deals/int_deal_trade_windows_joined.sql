-- U.S.–Turkey trade in each window of a deal's linked HS code. Trade is read at the most
-- detailed HS level the trade data has for the code (a 6-digit link is measured at 4 digits
-- when only headings are published). A window with no month of trade data has a null value;
-- a covered month without a row for the code counts as zero.
{%- set window_grain = ['deal_id', 'hs_code', 'window_name'] %}
{%- set published_month = ['flow', 'hs_level', 'month_date'] %}
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

window_totals as (

    -- every month published at the link's trade level inside the window, and the code's
    -- trade in it (a published month without a row for the code adds nothing)
    select
        windows_measured.deal_id,
        windows_measured.hs_code,
        windows_measured.window_name,
        count(published_months.month_date) as months_with_data,
        sum(product_trade.value_usd) as value_usd,
        string_agg(distinct product_trade.source, ', ' order by product_trade.source)
            as trade_sources
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
    left join product_trade
        on
            {{ keys_match('published_months', 'product_trade', published_month) }}
            and windows_measured.trade_hs_code = product_trade.hs_code
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
        window_totals.months_with_data,
        case
            when window_totals.months_with_data > 0
                then cast(coalesce(window_totals.value_usd, 0) as decimal(18, 0))
        end as value_usd,
        window_totals.trade_sources
    from windows_measured
    inner join window_totals
        on {{ keys_match('windows_measured', 'window_totals', window_grain) }}

)

select * from final
