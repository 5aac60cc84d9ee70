with

release_values as (

    select * from {{ ref('int_census_release_values_unioned') }}

),

paired as (

    select
        *,
        lag(release_source) over series as previous_release_source,
        lag(release) over series as previous_release,
        lag(release_date) over series as previous_release_date,
        lag(value_usd) over series as previous_value_usd,
        lag(is_rounded) over series as previous_is_rounded
    from release_values
    window series as (
        partition by partner_census_code, flow, period_kind, period_date
        order by release_date, vintage_month
    )

),

final as (

    select
        partner_census_code,
        partner_name,
        is_country,
        flow,
        period_kind,
        period_date,
        release_source,
        release,
        release_date,
        is_release_date_approximate,
        previous_release_source,
        previous_release,
        previous_release_date,
        value_usd,
        previous_value_usd,
        cast(value_usd - previous_value_usd as decimal(18, 0)) as revision_usd,
        round((value_usd - previous_value_usd) / previous_value_usd * 100, 4) as revision_pct,
        is_rounded,
        previous_is_rounded,
        -- one side rounded to $0.1 million: up to $50,000 apart is rounding, not a revision
        is_rounded <> previous_is_rounded
        and abs(value_usd - previous_value_usd) <= 50000 as is_within_rounding
    from paired
    where previous_release is not null

)

select * from final
