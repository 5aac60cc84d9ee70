-- What moved U.S.–Turkey trade: each product's change against the prior year and its
-- contribution, in percentage points, to the change in total trade (both flows). Within a
-- year and product basis the changes add up to the change in the published totals.
with

product_years as (

    select * from {{ ref('int_turkey_product_years_unioned') }}

),

flow_totals as (

    select distinct
        product_basis,
        year,
        flow,
        flow_total_usd
    from product_years

),

trade_totals as (

    select
        product_basis,
        year,
        sum(flow_total_usd) as total_trade_usd,
        count(*) as flows
    from flow_totals
    group by product_basis, year

),

-- a product present in only one of the two years changed from or to zero
products_paired as (

    select
        coalesce(this_year.product_basis, prior_year.product_basis) as product_basis,
        coalesce(this_year.year, prior_year.year + 1) as year,
        coalesce(this_year.flow, prior_year.flow) as flow,
        coalesce(this_year.product_code, prior_year.product_code) as product_code,
        coalesce(this_year.product_description, prior_year.product_description)
            as product_description,
        coalesce(this_year.value_usd, 0) as value_usd,
        coalesce(prior_year.value_usd, 0) as prior_year_value_usd,
        coalesce(this_year.source, prior_year.source) as source,
        this_year.vintage,
        prior_year.vintage as prior_year_vintage
    from product_years as this_year
    full outer join product_years as prior_year
        on
            this_year.product_basis = prior_year.product_basis
            and this_year.flow = prior_year.flow
            and this_year.product_code = prior_year.product_code
            and this_year.year = prior_year.year + 1

),

final as (

    select
        products_paired.year,
        products_paired.product_basis,
        products_paired.flow,
        products_paired.product_code,
        products_paired.product_description,
        cast(products_paired.value_usd as decimal(18, 0)) as value_usd,
        cast(products_paired.prior_year_value_usd as decimal(18, 0)) as prior_year_value_usd,
        cast(products_paired.value_usd - products_paired.prior_year_value_usd as decimal(18, 0))
            as change_usd,
        (products_paired.value_usd - products_paired.prior_year_value_usd)
        / prior_totals.total_trade_usd * 100 as contribution_pp,
        cast(this_totals.total_trade_usd as decimal(18, 0)) as total_trade_usd,
        cast(prior_totals.total_trade_usd as decimal(18, 0)) as prior_year_total_trade_usd,
        cast(this_totals.total_trade_usd - prior_totals.total_trade_usd as decimal(18, 0))
            as total_change_usd,
        (this_totals.total_trade_usd - prior_totals.total_trade_usd)
        / prior_totals.total_trade_usd * 100 as total_change_pct,
        products_paired.source,
        coalesce(products_paired.vintage, products_paired.prior_year_vintage) as vintage
    from products_paired
    -- both years must be in the data, with both flows, for a change to mean anything
    inner join trade_totals as this_totals
        on
            products_paired.product_basis = this_totals.product_basis
            and products_paired.year = this_totals.year
    inner join trade_totals as prior_totals
        on
            products_paired.product_basis = prior_totals.product_basis
            and products_paired.year = prior_totals.year + 1
    where this_totals.flows = 2 and prior_totals.flows = 2

)

select * from final
order by year asc, product_basis asc, contribution_pp desc
