-- Only the register edition in force, and only the register's own columns, so the snapshot
-- of this model records a new version exactly when an analyst changed a row.
with

deal_trade_links as (

    select * from {{ ref('stg_deals__deal_trade_links') }}

),

editions as (

    select * from {{ ref('int_deal_register_editions_ranked') }}
    where is_current

),

filtered as (

    select
        deal_trade_links.deal_id,
        deal_trade_links.hs_code,
        deal_trade_links.hs_description,
        deal_trade_links.flow,
        deal_trade_links.expected_from,
        deal_trade_links.expected_from_date_precision,
        deal_trade_links.expected_to,
        deal_trade_links.expected_to_date_precision,
        deal_trade_links.note,
        deal_trade_links.source_url,
        deal_trade_links.hs_level,
        deal_trade_links.expected_from_date,
        deal_trade_links.expected_to_date
    from deal_trade_links
    inner join editions on deal_trade_links.edition = editions.edition

)

select * from filtered
