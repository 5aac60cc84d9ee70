-- Trade in a deal's linked HS code between the United States and Turkey, per window: the
-- 12 months before the announcement month, months 1-12, 13-24 and 25-36 after it, and the
-- expected delivery window. The announcement month itself is in neither side. Trade is read
-- at the most detailed HS level the trade data has for the code (a 6-digit link is measured
-- at 4 digits when only headings are published). A window with no month of trade data has
-- a null value; a covered month without a row for the code counts as zero.
with

links as (

    select * from {{ ref('int_deal_trade_links_filtered') }}

),

deals as (

    select * from {{ ref('int_deals_filtered') }}

),

product_trade as (

    select * from {{ ref('int_product_trade_monthly') }}

),

link_context as (

    select
        links.deal_id,
        links.hs_code,
        links.flow,
        cast(date_trunc('month', deals.announced_date) as date) as announced_month,
        cast(date_trunc('month', links.expected_from_date) as date) as expected_from_month,
        -- an expected_to of "2034" runs to December 2034, "2034-06" to June 2034
        cast(case links.expected_to_date_precision
            when 'year' then links.expected_to_date + interval 11 months
            else date_trunc('month', links.expected_to_date)
        end as date) as expected_to_month,
        coalesce(
            least(deals.country_a_iso3, deals.country_b_iso3) = 'TUR'
            and greatest(deals.country_a_iso3, deals.country_b_iso3) = 'USA',
            false
        ) as is_us_turkey
    from links
    inner join deals on links.deal_id = deals.deal_id

),

window_offsets as (

    select
        offset_values.window_name,
        offset_values.window_order,
        offset_values.first_offset,
        offset_values.last_offset
    from (
        values
        ('12m_before', 1, -12, -1),
        ('year_1_after', 2, 1, 12),
        ('year_2_after', 3, 13, 24),
        ('year_3_after', 4, 25, 36)
    ) as offset_values (window_name, window_order, first_offset, last_offset)

),

relative_windows as (

    select
        link_context.deal_id,
        link_context.hs_code,
        link_context.flow,
        link_context.is_us_turkey,
        window_offsets.window_name,
        window_offsets.window_order,
        cast(link_context.announced_month + to_months(window_offsets.first_offset) as date)
            as window_start,
        cast(link_context.announced_month + to_months(window_offsets.last_offset) as date)
            as window_end
    from link_context
    cross join window_offsets

),

delivery_windows as (

    select
        deal_id,
        hs_code,
        flow,
        is_us_turkey,
        'expected_window' as window_name,
        5 as window_order,
        expected_from_month as window_start,
        expected_to_month as window_end
    from link_context
    where expected_from_month is not null

),

windows as (

    select * from relative_windows
    union all
    select * from delivery_windows

),

published_levels as (

    select distinct
        flow,
        hs_level
    from product_trade

),

measured_levels as (

    select
        link_context.deal_id,
        link_context.hs_code,
        max(published_levels.hs_level) as trade_hs_level
    from link_context
    inner join published_levels
        on
            link_context.flow = published_levels.flow
            and published_levels.hs_level <= length(link_context.hs_code)
    where link_context.is_us_turkey
    group by link_context.deal_id, link_context.hs_code

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
