-- A month is published again in every later workbook, and Census revises roughly the prior
-- three years each June: keep each partner-month-flow from the newest vintage that has it.
with

monthly_flows as (

    select * from {{ ref('stg_census_country__monthly_flows') }}

),

deduplicated as (

    select *
    from monthly_flows
    qualify row_number() over (
        partition by partner_census_code, month_date, flow
        order by vintage_month desc
    ) = 1

)

select * from deduplicated
