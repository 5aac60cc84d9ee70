-- Arithmetic, not a forecast: for each product, how many more dollars U.S. imports from
-- Turkey would be if Turkey held the same share of U.S. imports of that product as it holds
-- of all U.S. imports. Nothing says such a share is attainable.
with

partner_flows as (

    select * from {{ ref('int_naics_partner_flows_ranked') }}
    where
        partner_census_code = '{{ var("turkey_census_code") }}'
        and flow = 'import'
        and not is_partial_period

),

world_totals as (

    select * from {{ ref('int_usatradeonline_flows_coded') }}
    where
        is_newest_vintage
        and commodity_system = 'NAICS'
        and is_world
        and is_all_commodities
        and flow = 'import'

),

shares as (

    select
        partner_flows.year,
        partner_flows.naics_code,
        partner_flows.naics_description,
        partner_flows.us_world_value_usd as us_imports_from_world_usd,
        partner_flows.value_usd as us_imports_from_turkey_usd,
        partner_flows.value_usd / nullif(partner_flows.us_world_value_usd, 0)
            as turkey_share,
        partner_flows.partner_flow_total_usd / world_totals.value_usd
            as turkey_share_of_all_imports,
        partner_flows.vintage
    from partner_flows
    inner join world_totals
        on
            partner_flows.year = world_totals.year
            and partner_flows.vintage = world_totals.vintage

),

final as (

    select
        year,
        naics_code,
        naics_description,
        cast(us_imports_from_world_usd as decimal(18, 0)) as us_imports_from_world_usd,
        cast(us_imports_from_turkey_usd as decimal(18, 0)) as us_imports_from_turkey_usd,
        round(turkey_share * 100, 4) as turkey_share_pct,
        round(turkey_share_of_all_imports * 100, 4) as turkey_share_of_all_us_imports_pct,
        turkey_share < turkey_share_of_all_imports as is_below_average_share,
        cast(
            round(
                greatest(
                    us_imports_from_world_usd * turkey_share_of_all_imports
                    - us_imports_from_turkey_usd,
                    0
                )
            ) as decimal(18, 0)
        ) as headroom_at_average_share_usd,
        'arithmetic, not a forecast: U.S. imports of the product from the world × Turkey''s '
        || 'share of all U.S. imports − U.S. imports from Turkey' as calculation,
        'usatradeonline' as source,
        vintage
    from shares

)

select * from final
order by year asc, headroom_at_average_share_usd desc
