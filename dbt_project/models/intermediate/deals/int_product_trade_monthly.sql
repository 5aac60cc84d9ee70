-- The interface the deal trade links read: U.S.–Turkey trade by month, flow and HS code
-- from census-hs (the columns of marts.us_turkey_trade_by_product), with the HS level as a
-- number of digits so a link's code can be matched at the finest level published. Until
-- `tradewatch ingest census-hs --live` has run this is empty and every trade window of
-- marts.deal_trade_links is null, never 0.
with

product_flows as (

    select * from {{ ref('stg_census_hs__turkey_product_flows') }}
    where partner_census_code = '{{ var("turkey_census_code") }}'

),

leveled as (

    select
        month_date,
        flow,
        -- census-hs names levels HS2 / HS4; the links compare digits
        cast(replace(hs_level, 'HS', '') as integer) as hs_level,
        hs_code,
        hs_description,
        cast(value_usd as decimal(18, 0)) as value_usd
    from product_flows

)

select * from leveled
