-- Only the register edition in force, and only the register's own columns, so the snapshot
-- of this model records a new version exactly when an analyst changed a row.
with

deals as (

    select * from {{ ref('stg_deals__deals') }}

),

editions as (

    select * from {{ ref('int_deal_register_editions_ranked') }}
    where is_current

),

filtered as (

    select
        deals.deal_id,
        deals.country_a_iso3,
        deals.country_b_iso3,
        deals.announced_on,
        deals.announced_date_precision,
        deals.title,
        deals.parties,
        deals.sector,
        deals.commodity,
        deals.deal_type,
        deals.value_note,
        deals.value_basis,
        deals.status,
        deals.status_as_of,
        deals.status_as_of_date_precision,
        deals.source_name,
        deals.source_url,
        deals.value_usd,
        deals.is_value_estimate,
        deals.is_value_recurring,
        deals.announced_date,
        deals.status_as_of_date
    from deals
    inner join editions on deals.edition = editions.edition

)

select * from filtered
