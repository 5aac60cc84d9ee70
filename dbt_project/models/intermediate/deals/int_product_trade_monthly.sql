-- The interface the deal trade links read: U.S.–Turkey trade by month, flow and HS code
-- from census-hs, live chunks and saved answers (the rows of marts.us_turkey_trade_by_product),
-- with the HS level as a number of digits so a link's code can be matched at the finest level
-- published. Offline it holds the saved answer's HS2 imports 2023–2024; a flow or month
-- without rows leaves the deal's trade window null, never 0.
with

product_flows as (

    select * from {{ ref('int_turkey_product_flows_prioritised') }}

),

leveled as (

    select
        month_date,
        flow,
        -- census-hs names levels HS2 / HS4; the links compare digits
        cast(replace(hs_level, 'HS', '') as integer) as hs_level,
        hs_code,
        hs_description,
        cast(value_usd as decimal(18, 0)) as value_usd,
        source
    from product_flows

)

select * from leveled
