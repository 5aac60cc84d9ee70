-- One column pair (value, months with data) per trade window, in window order.
{%- set trade_windows = [
    '12m_before', 'year_1_after', 'year_2_after', 'year_3_after', 'expected_window',
] %}
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
        {%- for window in trade_windows %}
            max(value_usd) filter (where window_name = '{{ window }}')
                as trade_{{ window }}_usd,
            max(months_with_data) filter (where window_name = '{{ window }}')
                as trade_{{ window }}_months,
        {%- endfor %}
        max(trade_hs_code) as trade_hs_code,
        max(trade_hs_level) as trade_hs_level
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
        {%- for window in trade_windows %}
            pivoted.trade_{{ window }}_usd,
            pivoted.trade_{{ window }}_months,
        {%- endfor %}
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
