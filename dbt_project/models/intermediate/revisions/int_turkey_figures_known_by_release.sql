-- What was known about U.S.-Turkey trade once each release was out: every month and complete
-- year from the newest release dated on or before it that published the period
with

release_values as (

    select
        *,
        release_source || ' ' || release as release_label
    from {{ ref('int_census_release_values_unioned') }}
    where partner_census_code = '{{ var("turkey_census_code") }}'

),

releases as (

    select distinct
        release_label,
        release_date
    from release_values

),

known as (

    select
        releases.release_label as known_with_release,
        releases.release_date as known_from_date,
        release_values.flow,
        release_values.period_kind,
        release_values.period_date,
        release_values.value_usd,
        release_values.release_label as value_release
    from releases
    inner join release_values on releases.release_date >= release_values.release_date
    qualify row_number() over (
        partition by
            releases.release_label,
            release_values.flow,
            release_values.period_kind,
            release_values.period_date
        order by release_values.release_date desc, release_values.vintage_month desc
    ) = 1

)

select * from known
