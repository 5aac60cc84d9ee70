-- USA Trade Online prints partner names, no codes: each name gets its Census code from the
-- seed (matched to the API's name for the code). `is_newest_vintage` marks, per year, flow
-- and commodity system, the newest download holding that year.
with

commodity_flows as (

    select * from {{ ref('stg_usatradeonline__commodity_flows') }}

),

country_codes as (

    select * from {{ ref('usatradeonline_country_codes') }}

),

coded as (

    select
        commodity_flows.*,
        country_codes.census_code as partner_census_code,
        country_codes.census_code is not null as is_country
    from commodity_flows
    left join country_codes
        on commodity_flows.partner_name = country_codes.usatradeonline_country_name

),

newest as (

    select
        *,
        vintage = max(vintage) over (
            partition by year, flow, commodity_system
        ) as is_newest_vintage
    from coded

)

select * from newest
