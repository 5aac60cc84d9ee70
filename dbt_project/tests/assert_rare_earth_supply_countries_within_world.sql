-- countries plus "Other" sum to the World total within its rounding, per edition and year
-- (USGS rounds world totals to two or three significant figures: up to ~2 % apart; a
-- missing or doubled country would move the sum far more)
with

supply as (

    select * from {{ ref('rare_earth_supply') }}

),

sums as (

    select
        edition,
        year,
        sum(mine_production_t_reo) filter (where area_kind != 'world') as areas_t_reo,
        max(mine_production_t_reo) filter (where area_kind = 'world') as world_t_reo
    from supply
    group by edition, year

)

select *
from sums
where
    world_t_reo is null
    or areas_t_reo > world_t_reo * {{ 1 + var('usgs_world_total_tolerance_pct') / 100 }}
    or areas_t_reo < world_t_reo * {{ 1 - var('usgs_world_total_tolerance_pct') / 100 }}
