{{ config(materialized='view') }}

-- editions are never mixed within a year: a country the newest edition drops is not
-- filled in from an older one, so shares still add up within the year
with

supply as (

    select * from {{ ref('rare_earth_supply') }}

),

newest_edition_per_year as (

    select
        year,
        max(edition_year) as edition_year
    from supply
    group by year

),

final as (

    select supply.*
    from supply
    inner join newest_edition_per_year
        on
            supply.year = newest_edition_per_year.year
            and supply.edition_year = newest_edition_per_year.edition_year

)

select * from final
