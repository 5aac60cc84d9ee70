-- The flows that count toward a value-chain stage (`in_stage_total`), one per year: a
-- source that publishes the year is taken as published, one that publishes only months
-- (Census) is summed to the year.
{%- set reported_year = ['source', 'reporter_iso3', 'hs6', 'year'] %}
with

flows as (

    select * from {{ ref('int_rare_earth_flows_unioned') }}

),

basket as (

    select * from {{ ref('stg_reference__rare_earth_hs_basket_codes') }}

),

staged_flows as (

    select
        flows.source,
        flows.reporter_iso3,
        flows.partner_iso3,
        flows.flow,
        flows.hs6,
        flows.year,
        flows.month,
        basket.stage,
        flows.value_usd,
        flows.vintage
    from flows
    inner join basket on flows.hs6 = basket.hs6
    where basket.in_stage_total

),

monthly_rows as (

    select
        source,
        reporter_iso3,
        partner_iso3,
        flow,
        hs6,
        year,
        stage,
        sum(value_usd) as value_usd,
        max(vintage) as vintage
    from staged_flows
    where month is not null
    group by source, reporter_iso3, partner_iso3, flow, hs6, year, stage

),

annual_rows as (

    select * exclude (month) from staged_flows
    where month is null

),

annualised as (

    -- months count only where the source has no annual figure for the reporter's year
    select * from annual_rows

    union all by name

    select monthly_rows.*
    from monthly_rows
    anti join annual_rows
        on {{ keys_match('monthly_rows', 'annual_rows', reported_year) }}

)

select * from annualised
