with

flows as (

    select * from {{ ref('int_rare_earth_flows_unioned') }}

),

basket as (

    select * from {{ ref('stg_reference__rare_earth_hs_basket_codes') }}

),

country_names as (

    select * from {{ ref('int_country_names_unioned') }}

),

final as (

    select
        flows.source,
        flows.reporter_iso3,
        reporters.country_name as reporter_name,
        flows.partner_iso3,
        partners.country_name as partner_name,
        flows.flow,
        flows.hs_code,
        flows.hs6,
        basket.stage,
        basket.mart_group,
        basket.specificity,
        basket.specificity = 're_specific' as is_rare_earth_specific,
        flows.year,
        flows.month,
        flows.value_usd,
        flows.net_weight_kg,
        case
            when flows.net_weight_kg > 0
                then round(flows.value_usd / flows.net_weight_kg, 4)
        end as unit_value_usd_per_kg,
        flows.quantity,
        flows.quantity_unit,
        flows.valuation,
        flows.reported_by,
        flows.reported_by = 'BACI' as is_reconciled,
        'WLD' in (flows.reporter_iso3, flows.partner_iso3) as is_world_total,
        flows.vintage
    from flows
    inner join basket on flows.hs6 = basket.hs6
    left join country_names as reporters on flows.reporter_iso3 = reporters.country_iso3
    left join country_names as partners on flows.partner_iso3 = partners.country_iso3

)

select * from final
