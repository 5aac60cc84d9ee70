"""The rare-earth marts after one offline `tradewatch build`: the analyst questions of the
issue, answered from bundled BACI data, and the mirror from the secondary Turkish figures."""

from __future__ import annotations

from decimal import Decimal

from ingest import access
from ingest.settings import Settings


def rows(settings: Settings, sql: str) -> list[tuple[object, ...]]:
    return access.run_query(settings, sql).rows()


def test_china_share_of_us_magnet_imports_in_2024(built_warehouse: Settings) -> None:
    answer = rows(
        built_warehouse,
        """
        select imports_usd, china_share_pct, top_supplier_iso3, supplier_count
        from marts.rare_earth_import_dependence
        where importer_iso3 = 'USA' and stage = 'magnet' and year = 2024 and source = 'baci'
    """,
    )
    # BACI V202601, HS 850511: 366,341.101 of 491,902.474 thousand USD come from China
    assert answer == [(Decimal("491902474"), 74.4743, "CHN", 67)]


def test_turkey_top_magnet_suppliers_in_2022(built_warehouse: Settings) -> None:
    answer = rows(
        built_warehouse,
        """
        select partner_iso3, value_usd
        from marts.rare_earth_trade_flows
        where reporter_iso3 = 'TUR' and flow = 'import' and hs_code = '850511' and year = 2022
        order by value_usd desc
        limit 5
    """,
    )
    assert answer == [
        ("CHN", Decimal("36557062")),
        ("GBR", Decimal("1781546")),
        ("DEU", Decimal("1513117")),
        ("ITA", Decimal("369222")),
        ("USA", Decimal("322766")),
    ]


def test_a_baci_flow_is_seen_from_both_sides(built_warehouse: Settings) -> None:
    answer = rows(
        built_warehouse,
        """
        select reporter_iso3, partner_iso3, flow, value_usd, valuation, reported_by, vintage
        from marts.rare_earth_trade_flows
        where hs6 = '850511' and year = 2022
            and 'TUR' in (reporter_iso3, partner_iso3) and 'USA' in (reporter_iso3, partner_iso3)
        order by reporter_iso3, flow
    """,
    )
    assert answer == [
        ("TUR", "USA", "export", Decimal("36566"), "FOB", "BACI", "V202601"),
        ("TUR", "USA", "import", Decimal("322766"), "FOB", "BACI", "V202601"),
        ("USA", "TUR", "export", Decimal("322766"), "FOB", "BACI", "V202601"),
        ("USA", "TUR", "import", Decimal("36566"), "FOB", "BACI", "V202601"),
    ]


def test_2024_magnets_carry_weights_and_unit_values(built_warehouse: Settings) -> None:
    answer = rows(
        built_warehouse,
        """
        select value_usd, net_weight_kg, unit_value_usd_per_kg, stage, specificity
        from marts.rare_earth_trade_flows
        where reporter_iso3 = 'USA' and partner_iso3 = 'TUR' and flow = 'export'
            and hs6 = '850511' and year = 2024
    """,
    )
    assert answer == [(Decimal("609017"), 2195.0, 277.4565, "magnet", "mixed_at_hs6")]


def test_summary_totals_feed_the_world_and_turkey(built_warehouse: Settings) -> None:
    answer = rows(
        built_warehouse,
        """
        select importer_iso3, stage, year, imports_usd, china_share_pct, has_supplier_breakdown
        from marts.rare_earth_import_dependence
        where (importer_iso3 = 'WLD' and stage = 'metal' and year = 2024)
            or (importer_iso3 = 'TUR' and stage = 'compound')
        order by importer_iso3
    """,
    )
    assert answer == [
        ("TUR", "compound", 2020, Decimal("37264720"), None, False),
        ("WLD", "metal", 2024, Decimal("388448982"), 27.41, False),
    ]


def test_mirror_uses_the_secondary_turkish_figures_offline(built_warehouse: Settings) -> None:
    answer = rows(
        built_warehouse,
        """
        select year, us_exports_to_tur_usd, tur_imports_from_us_usd, to_turkey_gap_usd,
            to_us_gap_pct, turkey_exports_source, is_turkish_side_secondary
        from marts.turkey_us_trade_mirror
        where year = 2022
    """,
    )
    assert answer == [
        (
            2022,
            Decimal("15162200000"),
            Decimal("15200000000"),
            Decimal("37800000"),
            11.1781,
            "turkstat_press",
            True,
        )
    ]
    years = rows(
        built_warehouse,
        "select year, is_turkish_side_secondary from marts.turkey_us_trade_mirror order by year",
    )
    assert years == [(year, True) for year in (2013, 2018, 2019, 2021, 2022, 2024)]


def test_no_comtrade_data_is_bundled(built_warehouse: Settings) -> None:
    assert rows(built_warehouse, "select count(*) from raw_comtrade.records") == [(0,)]
    assert rows(
        built_warehouse,
        "select count(*) from marts.rare_earth_trade_flows where source = 'comtrade'",
    ) == [(0,)]


def test_every_country_code_has_its_name(built_warehouse: Settings) -> None:
    names = rows(
        built_warehouse,
        """
        select distinct reporter_iso3, reporter_name
        from marts.rare_earth_trade_flows
        where reporter_iso3 in ('CHN', 'S19', 'TUR', 'WLD')
        order by reporter_iso3
    """,
    )
    # S19 is BACI's and Comtrade's code for Taiwan ("Other Asia, nes"); WLD is a world total
    assert names == [
        ("CHN", "China"),
        ("S19", "Other Asia, nes"),
        ("TUR", "Türkiye"),
        ("WLD", "World"),
    ]
    unnamed = rows(
        built_warehouse,
        """
        select
            (select count(*) from marts.rare_earth_trade_flows
                where reporter_name is null or (partner_iso3 is not null and partner_name is null)),
            (select count(*) from marts.rare_earth_import_dependence
                where importer_name is null
                    or (top_supplier_iso3 is not null and top_supplier_name is null))
    """,
    )
    assert unnamed == [(0, 0)]
    [(importer, supplier)] = rows(
        built_warehouse,
        """
        select importer_name, top_supplier_name
        from marts.rare_earth_import_dependence
        where importer_iso3 = 'TUR' and stage = 'magnet' and year = 2022 and source = 'baci'
    """,
    )
    assert (importer, supplier) == ("Türkiye", "China")
