with

links as (

    select * from {{ ref('int_deal_trade_links_filtered') }}

),

deals as (

    select * from {{ ref('int_deals_filtered') }}

),

naics_context as (

    select * from {{ ref('hs_naics_context') }}

),

naics_flows as (

    select * from {{ ref('int_naics_partner_flows_ranked') }}
    where
        partner_census_code = '{{ var("turkey_census_code") }}'
        and not is_partial_period

),

-- the longest HS prefix the seed reads against a NAICS industry
links_mapped as (

    select
        links.deal_id,
        links.hs_code,
        links.flow,
        naics_context.naics_code,
        year(deals.announced_date) - 1 as naics_year
    from links
    inner join deals on links.deal_id = deals.deal_id
    inner join naics_context on starts_with(links.hs_code, naics_context.hs_prefix)
    where
        least(deals.country_a_iso3, deals.country_b_iso3) = 'TUR'
        and greatest(deals.country_a_iso3, deals.country_b_iso3) = 'USA'
    qualify row_number() over (
        partition by links.deal_id, links.hs_code
        order by length(naics_context.hs_prefix) desc
    ) = 1

),

final as (

    select
        links_mapped.deal_id,
        links_mapped.hs_code,
        links_mapped.naics_code,
        links_mapped.naics_year,
        naics_flows.naics_description,
        cast(naics_flows.value_usd as decimal(18, 0)) as naics_value_usd,
        naics_flows.vintage as naics_vintage
    from links_mapped
    left join naics_flows
        on
            links_mapped.naics_code = naics_flows.naics_code
            and links_mapped.flow = naics_flows.flow
            and links_mapped.naics_year = naics_flows.year

)

select * from final
