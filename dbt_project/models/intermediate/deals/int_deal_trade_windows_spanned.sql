-- The windows a deal's trade is read in: the 12 months before the announcement month,
-- months 1-12, 13-24 and 25-36 after it (the announcement month itself is in neither side),
-- and the expected delivery window, which runs to the end of the period expected_to names
-- ("2034" is December 2034) and stays open when expected_to is empty.
with

links as (

    select * from {{ ref('int_deal_trade_links_filtered') }}

),

deals as (

    select * from {{ ref('int_deals_filtered') }}

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

)

select * from windows
