"""The queries the benchmark times: five an analyst asks of the marts, two heavy ones on the
raw flows table of a whole-file (`--all-products`) BACI load."""

from __future__ import annotations

ANALYST = {
    "goal_progress": """
        select month_date, total_trade_t12m_usd, goal_usd, pct_of_goal, projected_goal_year
        from marts.trade_goal_progress
        order by month_date desc
        limit 12
    """,
    "turkey_partner_rank": """
        select year, rank_by_total, total_trade_usd, share_of_us_total_pct
        from marts.us_trade_partners_annual
        where partner_iso3 = 'TUR'
        order by year
    """,
    "china_magnet_share": """
        select importer_iso3, year, source, imports_usd, china_share_pct
        from marts.rare_earth_import_dependence
        where stage = 'magnet'
        order by year desc, imports_usd desc
    """,
    "deals_pipeline": """
        select status, sector, sum(deal_count) as deals, sum(disclosed_value_usd) as value_usd
        from marts.deals_pipeline
        group by status, sector
        order by value_usd desc nulls last
    """,
    # us_turkey_trade_by_product is filled by live Census loads only: offline, the products
    # an analyst can rank are the rare-earth basket's (BACI, latest year, every importer)
    "top_products": """
        select reporter_iso3 as importer_iso3, hs6, stage, sum(value_usd) as imports_usd
        from marts.rare_earth_trade_flows
        where source = 'baci'
          and flow = 'import'
          and not is_world_total
          and year = (select max(year) from marts.rare_earth_trade_flows where source = 'baci')
        group by reporter_iso3, hs6, stage
        order by imports_usd desc
        limit 20
    """,
}

HEAVY = {
    "top_exporters_by_year": """
        select t, i, sum(v) as value_kusd, count(*) as flows
        from raw_baci.trade_flows
        group by t, i
        qualify row_number() over (partition by t order by sum(v) desc) <= 10
        order by t, value_kusd desc
    """,
    # HHI = sum of squared supplier shares = sum(v²) / (sum v)²: one aggregation over the
    # flows, then one over the suppliers (a window over the first would scan the flows twice)
    "importer_supplier_concentration": """
        with by_supplier as (
            select t, j, i, sum(v) as value_kusd
            from raw_baci.trade_flows
            group by t, j, i
        )
        select
            t,
            j as importer,
            round(sum(value_kusd * value_kusd) / (sum(value_kusd) * sum(value_kusd)) * 10000, 1)
                as hhi
        from by_supplier
        group by t, j
        order by hhi desc
    """,
}
