-- the workbook's own annual columns, from the newest vintage that has each partner-year-flow
with

annual_totals as (

    select * from {{ ref('stg_census_country__annual_totals') }}

),

deduplicated as (

    select *
    from annual_totals
    qualify row_number() over (
        partition by partner_census_code, year, flow
        order by vintage_month desc
    ) = 1

)

select * from deduplicated
