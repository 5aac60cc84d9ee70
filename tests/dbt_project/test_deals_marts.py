"""The deals marts of the session's offline build (read-only)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import duckdb
import pytest

from ingest.deals_register.files import DEALS_FILE, EVENTS_FILE
from ingest.settings import DEFAULT_DEALS_DIR, Settings
from tests.ingest.deals_register.cases import read_rows

TARGET = "tr-us-trade-100bn-target"


def _query(settings: Settings, sql: str) -> list[tuple[object, ...]]:
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_marts_deals_holds_the_38_deals_with_the_registers_statuses(
    built_warehouse: Settings,
) -> None:
    register = {row["deal_id"]: row["status"] for row in read_rows(DEFAULT_DEALS_DIR, DEALS_FILE)}
    mart = dict(_query(built_warehouse, "select deal_id, status from marts.deals"))
    assert len(mart) == 38
    assert mart == register


def test_the_100bn_target_restatements_are_its_events(built_warehouse: Settings) -> None:
    events = [
        (row["status"], row["note"], row["source_url"])
        for row in read_rows(DEFAULT_DEALS_DIR, EVENTS_FILE)
        if row["deal_id"] == TARGET
    ]
    history = _query(
        built_warehouse,
        f"select status, note, source_url from marts.deal_status_history "
        f"where deal_id = '{TARGET}' order by period_number",
    )
    assert len(events) == 15
    assert history == events
    restated = _query(
        built_warehouse,
        f"select count(*) filter (where status = 'announced' and not is_status_change), "
        f"count(*) filter (where is_current) from marts.deal_status_history "
        f"where deal_id = '{TARGET}'",
    )
    # 12 'announced' events: the first and the three after talks or stalled are changes,
    # the other 8 restate the goal
    assert restated == [(8, 1)]


def test_the_target_keeps_its_month_only_announcement(built_warehouse: Settings) -> None:
    rows = _query(
        built_warehouse,
        "select announced_on, announced_date, announced_date_precision, value_usd, "
        "is_value_recurring, status, status_date, event_count "
        f"from marts.deals where deal_id = '{TARGET}'",
    )
    assert rows == [
        (
            "2019-06",
            date(2019, 6, 1),
            "month",
            Decimal(100_000_000_000),
            True,
            "announced",
            date(2026, 2, 5),
            15,
        )
    ]
    first = _query(
        built_warehouse,
        "select valid_from, valid_from_precision, valid_to from marts.deal_status_history "
        f"where deal_id = '{TARGET}' and period_number = 1",
    )
    assert first == [(date(2019, 6, 1), "month", date(2019, 9, 7))]


def test_how_much_us_turkey_value_is_signed_or_in_talks_is_one_query(
    built_warehouse: Settings,
) -> None:
    rows = _query(
        built_warehouse,
        "select status, sum(deal_count), sum(disclosed_value_usd) from marts.deals_pipeline "
        "where country_pair = 'TUR-USA' group by status order by status",
    )
    # Pegasus list price 36bn + Mercuria estimate 43bn (signed); F-16 DSCA estimate 23bn
    # (in progress); the $100bn goal is counted as a deal but never summed as a value
    assert rows == [
        ("announced", 1, None),
        ("in_progress", 1, Decimal(23_000_000_000)),
        ("operational", 3, None),
        ("signed", 9, Decimal(79_000_000_000)),
        ("talks", 3, None),
    ]


@pytest.mark.parametrize(
    ("as_of_month", "value_usd", "deals"),
    [
        pytest.param(date(2023, 12, 1), 0, 0, id="before-any-valued-deal"),
        pytest.param(date(2024, 1, 1), 23_000_000_000, 1, id="f16-approval-announced"),
        pytest.param(date(2024, 12, 1), 59_000_000_000, 2, id="pegasus-order"),
        pytest.param(date(2025, 9, 1), 102_000_000_000, 3, id="mercuria-lng"),
        pytest.param(date(2026, 8, 1), 102_000_000_000, 3, id="latest"),
    ],
)
def test_announced_deal_value_sits_beside_the_gap(
    built_warehouse: Settings, as_of_month: date, value_usd: int, deals: int
) -> None:
    rows = _query(
        built_warehouse,
        "select announced_deal_value_usd, announced_deal_count, gap_usd is not null "
        f"from marts.trade_goal_progress where as_of_month = '{as_of_month}'",
    )
    assert rows == [(Decimal(value_usd), deals, True)]


def test_offline_trade_links_rest_on_the_data_that_exists_and_say_so(
    built_warehouse: Settings,
) -> None:
    rows = _query(
        built_warehouse,
        "select deal_id, hs_code, trade_hs_code, trade_12m_before_usd, trade_12m_before_months, "
        "trade_year_1_after_usd, trade_basis, naics_context_code, naics_context_year, "
        "naics_context_value_usd from marts.deal_trade_links order by deal_id, hs_code",
    )
    assert len(rows) == 10
    assert all(row[6] for row in rows)  # a basis on every row, never a silent null
    by_link = {(row[0], row[1]): row[2:] for row in rows}
    # imports: the saved HS2 answer covers 2024-10..12 of the 12 months before 2025-10
    beylikova = by_link[("tr-us-beylikova-ree-talks-2025", "284610")]
    assert beylikova[:4] == ("28", Decimal(24587319), 3, None)
    assert beylikova[4].startswith("HS2 28 (census-hs saved answer)")
    # exports have no HS data offline: the NAICS industry of the year before, as context
    boeing = by_link[("tr-us-pegasus-boeing-2024", "880240")]
    assert boeing[:4] == (None, None, 0, None)
    assert boeing[4].startswith("NAICS 336 2023 (usatradeonline): the whole industry")
    assert boeing[5:] == ("336", 2023, Decimal(3166383262))
    # the 2019 steel link: nothing around its announcement, but its open expected window
    # (from 2019-05) holds the saved answer's 24 months of HS2 72 imports
    steel = by_link[("us-tr-steel-tariff-cut-2019", "72")]
    assert steel[1:5] == (None, 0, None, "HS2 72 (census-hs saved answer)")
    window = _query(
        built_warehouse,
        "select trade_expected_window_months from marts.deal_trade_links "
        "where deal_id = 'us-tr-steel-tariff-cut-2019'",
    )
    assert window == [(24,)]
    linked = _query(
        built_warehouse,
        "select linked_hs_codes from marts.deals where deal_id = 'tr-us-beylikova-ree-talks-2025'",
    )
    assert linked == [("280530, 284610, 284690",)]


def test_the_trade_window_unit_tests_ran_with_and_without_trade_rows(
    built_warehouse: Settings,
) -> None:
    run_results = built_warehouse.db_path.parent / "dbt" / "target" / "run_results.json"
    results = json.loads(run_results.read_text())["results"]
    statuses = {item["unique_id"].rsplit(".", 1)[-1]: item["status"] for item in results}
    assert statuses["trade_windows_span_the_announcement"] == "pass"
    assert statuses["trade_windows_with_product_trade"] == "pass"
    assert statuses["trade_windows_without_product_trade"] == "pass"
    assert statuses["trade_links_null_without_census_hs"] == "pass"
    assert statuses["announced_deal_value_beside_the_gap"] == "pass"


def test_the_snapshots_hold_the_register(built_warehouse: Settings) -> None:
    rows = _query(
        built_warehouse,
        "select (select count(*) from snapshots.deals_snapshot where dbt_valid_to is null), "
        "(select count(*) from snapshots.deal_events_snapshot where dbt_valid_to is null), "
        "(select count(*) from snapshots.deal_trade_links_snapshot where dbt_valid_to is null)",
    )
    assert rows == [(38, 87, 10)]
