"""What moves U.S.–Turkey trade, from the bundled Census releases (offline build)."""

from __future__ import annotations

import json
from decimal import Decimal

import duckdb
import pytest

from ingest.settings import Settings

# USA Trade Online, downloaded 2026-03-15: Turkey, All Commodities (PROVENANCE.md)
EXPORTS_2025, IMPORTS_2025 = 20_399_162_729, 16_412_095_764
EXPORTS_2024, IMPORTS_2024 = 15_375_664_107, 16_749_955_433


def query(settings: Settings, sql: str) -> list[tuple]:
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_the_2025_change_is_split_by_naics_and_adds_up_to_the_published_totals(
    built_warehouse: Settings,
) -> None:
    rows = query(
        built_warehouse,
        "select sum(change_usd), any_value(total_change_usd), any_value(total_trade_usd), "
        "sum(contribution_pp), any_value(total_change_pct), count(*) "
        "from marts.trade_goal_drivers where year = 2025 and product_basis = 'NAICS'",
    )
    change = EXPORTS_2025 + IMPORTS_2025 - EXPORTS_2024 - IMPORTS_2024
    assert rows[0][:3] == (Decimal(change), Decimal(change), Decimal(EXPORTS_2025 + IMPORTS_2025))
    assert rows[0][3] == pytest.approx(rows[0][4], abs=1e-9)
    assert round(rows[0][4], 1) == 14.6  # the issue's +14.6 %
    top = query(
        built_warehouse,
        "select flow, product_code from marts.trade_goal_drivers where year = 2025 "
        "and product_basis = 'NAICS' order by contribution_pp desc limit 1",
    )
    assert top == [("export", "336")]


def test_hs2_drivers_cover_imports_by_chapter_and_exports_as_one_product(
    built_warehouse: Settings,
) -> None:
    rows = query(
        built_warehouse,
        "select flow, count(*), sum(value_usd), min(source) from marts.trade_goal_drivers "
        "where product_basis = 'HS2' group by flow order by flow",
    )
    assert [row[:2] for row in rows] == [("export", 1), ("import", 96)]
    # the saved API answers: Turkey's 2024 imports sum to $16,750.0 million
    assert round(rows[1][2] / Decimal(100000)) == 167500
    assert {row[3] for row in rows} == {"census-hs"}


def test_naics_mart_flags_the_partial_period_and_never_compares_it(
    built_warehouse: Settings,
) -> None:
    rows = query(
        built_warehouse,
        "select year, is_partial_period, count(*), count(change_usd), min(vintage) "
        "from marts.us_turkey_trade_by_naics_annual group by all order by year",
    )
    assert [row[0] for row in rows] == [2020, 2021, 2022, 2023, 2024, 2025, 2026]
    assert [row[1] for row in rows] == [False] * 6 + [True]
    assert rows[0][3] == 0 and rows[-1][3] == 0  # no prior year; a partial period
    assert all(row[4] == "2026-03-15" for row in rows)
    shares = query(
        built_warehouse,
        "select flow, sum(share_of_flow_pct) from marts.us_turkey_trade_by_naics_annual "
        "where year = 2025 group by flow order by flow",
    )
    assert [round(total, 2) for _, total in shares] == [100.0, 100.0]


def test_partner_ranks_run_to_2025_from_the_newest_all_partner_release(
    built_warehouse: Settings,
) -> None:
    rows = query(
        built_warehouse,
        "select year, min(source), min(vintage), count(*) filter (where not "
        "regexp_full_match(partner_census_code, '[1-9][0-9]{3}')) "
        "from marts.us_trade_partners_annual where year >= 2012 group by year order by year",
    )
    sources = {year: (source, vintage) for year, source, vintage, _ in rows}
    assert sources[2012] == ("census-country", "2024-06")
    assert sources[2019] == ("census-hs", "2025-10-18")
    assert sources[2024] == sources[2025] == ("usatradeonline", "2026-03-15")
    assert all(groupings == 0 for *_, groupings in rows)  # world, EU, OPEC never ranked
    turkey = query(
        built_warehouse,
        "select us_exports_usd, us_imports_usd, rank_by_total from marts.us_trade_partners_annual "
        "where year = 2025 and partner_census_code = '4890'",
    )
    assert turkey[0][:2] == (Decimal(EXPORTS_2025), Decimal(IMPORTS_2025))


def test_headroom_is_labelled_arithmetic_and_never_negative(built_warehouse: Settings) -> None:
    rows = query(
        built_warehouse,
        "select count(*), min(headroom_at_average_share_usd), count(distinct calculation), "
        "min(calculation) from marts.us_turkey_trade_headroom where year = 2025",
    )
    count, smallest, methods, method = rows[0]
    assert count > 25 and smallest == 0 and methods == 1
    assert method.startswith("arithmetic, not a forecast")


def test_offline_products_hold_turkey_hs2_imports_2023_2024(built_warehouse: Settings) -> None:
    rows = query(
        built_warehouse,
        "select year(month_date), sum(value_usd), min(source), min(vintage) "
        "from marts.us_turkey_trade_by_product group by all order by 1",
    )
    assert [(row[0], round(row[1] / Decimal(100000))) for row in rows] == [
        (2023, 154302),
        (2024, 167500),
    ]
    assert {row[2:] for row in rows} == {("census-hs saved answer", "2025-09-28")}


def test_the_reconciliation_tests_ran_and_passed(built_warehouse: Settings) -> None:
    run_results = built_warehouse.db_path.parent / "dbt" / "target" / "run_results.json"
    results = json.loads(run_results.read_text())["results"]
    statuses = {item["unique_id"].split(".")[2]: item["status"] for item in results}
    for test in (
        "assert_naics_codes_sum_to_all_commodities",
        "assert_hs2_chapters_sum_to_api_country_totals",
        "assert_api_country_totals_match_the_workbook_of_the_same_revision",
    ):
        assert statuses[test] == "pass", test
    assert any(
        key.startswith("contributions_add_up_to_the_total_change") and status == "pass"
        for key, status in statuses.items()
    )
