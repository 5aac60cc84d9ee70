-- U.S.–Turkey trade by HS code from both census-hs paths: live chunks (turkey_by_hs) and
-- saved answers (hs_by_country, Turkey's rows). Each is dated by its retrieval, the only
-- vintage the API has; where both hold a month, the newest retrieval wins.
with

live_flows as (

    select * from {{ ref('stg_census_hs__turkey_product_flows') }}

),

saved_flows as (

    select * from {{ ref('stg_census_hs__country_product_flows') }}
    where partner_census_code = '{{ var("turkey_census_code") }}'

),

unioned as (

    select
        month_date,
        flow,
        hs_level,
        hs_code,
        hs_description,
        value_usd,
        'census-hs live' as source,
        strftime(loaded_at, '%Y-%m-%d') as vintage
    from live_flows

    union all

    select
        month_date,
        flow,
        hs_level,
        hs_code,
        hs_description,
        value_usd,
        'census-hs saved answer' as source,
        vintage
    from saved_flows

),

prioritised as (

    select *
    from unioned
    qualify row_number() over (
        partition by month_date, flow, hs_level, hs_code
        order by vintage desc, source asc
    ) = 1

)

select * from prioritised
