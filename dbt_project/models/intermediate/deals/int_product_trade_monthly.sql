-- The interface the deal trade links read: U.S.–Turkey trade by month, flow and HS code,
-- with the columns of marts.us_turkey_trade_by_product (census-hs). Until census-hs is part
-- of the build this selects no rows, so every trade window reads "no data" (null, never 0);
-- when it lands, this select is replaced by one from census-hs with the same columns.
with

no_product_trade as (

    select
        cast(null as date) as month_date,
        cast(null as varchar) as flow,
        cast(null as integer) as hs_level,
        cast(null as varchar) as hs_code,
        cast(null as varchar) as hs_description,
        cast(null as decimal(18, 0)) as value_usd
    where false

)

select * from no_product_trade
