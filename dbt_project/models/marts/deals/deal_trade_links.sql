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

naics_context as (

    select * from {{ ref('int_deal_naics_context_joined') }}

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
        max(trade_hs_level) as trade_hs_level,
        string_agg(distinct trade_sources, ', ') as trade_sources,
        bool_or(is_us_turkey) as is_us_turkey
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
        -- what the trade columns (or, without them, the NAICS context) rest on, never a
        -- silent null
        case
            when pivoted.trade_sources is not null
                then
                    'HS' || pivoted.trade_hs_level || ' ' || pivoted.trade_hs_code
                    || ' (' || pivoted.trade_sources || ')'
                    || case
                        when pivoted.trade_hs_level < links.hs_level
                            then ': the wider code containing the linked one'
                        else ''
                    end
            when naics_context.naics_value_usd is not null
                then
                    'NAICS ' || naics_context.naics_code || ' ' || naics_context.naics_year
                    || ' (usatradeonline): the whole industry, context only; no HS-level '
                    || 'data for this flow (run census-hs --live)'
            when not coalesce(pivoted.is_us_turkey, false)
                then 'not a U.S.–Turkey deal: no U.S.–Turkey trade is read'
            else 'no product data for this code in the deal''s windows (run census-hs --live)'
        end as trade_basis,
        {%- for window in trade_windows %}
            pivoted.trade_{{ window }}_usd,
            pivoted.trade_{{ window }}_months,
        {%- endfor %}
        naics_context.naics_code as naics_context_code,
        naics_context.naics_year as naics_context_year,
        naics_context.naics_value_usd as naics_context_value_usd,
        links.note,
        links.source_url
    from links
    inner join deals on links.deal_id = deals.deal_id
    inner join pivoted
        on
            links.deal_id = pivoted.deal_id
            and links.hs_code = pivoted.hs_code
    left join naics_context
        on
            links.deal_id = naics_context.deal_id
            and links.hs_code = naics_context.hs_code

)

select * from final
order by deal_id, hs_code
