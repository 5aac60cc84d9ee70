with

links as (

    select * from {{ ref('int_deal_trade_links_filtered') }}

),

deals as (

    select * from {{ ref('int_deals_filtered') }}

),

windows as (

    select * from {{ ref('int_deal_trade_windows_joined') }}

),

pivoted as (

    select
        deal_id,
        hs_code,
        max(trade_hs_code) as trade_hs_code,
        max(trade_hs_level) as trade_hs_level,
        max(value_usd) filter (where window_name = '12m_before')
            as trade_12m_before_usd,
        max(months_with_data) filter (where window_name = '12m_before')
            as trade_12m_before_months,
        max(value_usd) filter (where window_name = 'year_1_after')
            as trade_year_1_after_usd,
        max(months_with_data) filter (where window_name = 'year_1_after')
            as trade_year_1_after_months,
        max(value_usd) filter (where window_name = 'year_2_after')
            as trade_year_2_after_usd,
        max(months_with_data) filter (where window_name = 'year_2_after')
            as trade_year_2_after_months,
        max(value_usd) filter (where window_name = 'year_3_after')
            as trade_year_3_after_usd,
        max(months_with_data) filter (where window_name = 'year_3_after')
            as trade_year_3_after_months,
        max(value_usd) filter (where window_name = 'expected_window')
            as trade_expected_window_usd,
        max(months_with_data) filter (where window_name = 'expected_window')
            as trade_expected_window_months
    from windows
    group by deal_id, hs_code

),

final as (

    select
        links.deal_id,
        links.hs_code,
        links.hs_level,
        links.hs_description,
        links.flow,
        deals.country_a_iso3,
        deals.country_b_iso3,
        deals.announced_date,
        deals.announced_date_precision,
        links.expected_from,
        links.expected_from_date,
        links.expected_from_date_precision,
        links.expected_to,
        links.expected_to_date,
        links.expected_to_date_precision,
        pivoted.trade_hs_code,
        pivoted.trade_hs_level,
        pivoted.trade_12m_before_usd,
        pivoted.trade_12m_before_months,
        pivoted.trade_year_1_after_usd,
        pivoted.trade_year_1_after_months,
        pivoted.trade_year_2_after_usd,
        pivoted.trade_year_2_after_months,
        pivoted.trade_year_3_after_usd,
        pivoted.trade_year_3_after_months,
        pivoted.trade_expected_window_usd,
        pivoted.trade_expected_window_months,
        links.note,
        links.source_url
    from links
    inner join deals on links.deal_id = deals.deal_id
    inner join pivoted
        on
            links.deal_id = pivoted.deal_id
            and links.hs_code = pivoted.hs_code

)

select * from final
order by deal_id, hs_code
