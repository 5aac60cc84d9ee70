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


def test_marts_deals_holds_the_37_deals_and_trade_goals_the_goal(
    built_warehouse: Settings,
) -> None:
    register = {row["deal_id"]: row["status"] for row in read_rows(DEFAULT_DEALS_DIR, DEALS_FILE)}
    mart = dict(_query(built_warehouse, "select deal_id, status from marts.deals"))
    goals = dict(_query(built_warehouse, "select goal_id, status from marts.trade_goals"))
    assert len(register) == 38 and len(mart) == 37
    assert goals == {TARGET: "announced"}
    assert mart | goals == register


def test_a_goal_never_tops_a_ranking_or_sum_of_deal_values(built_warehouse: Settings) -> None:
    [(top_deal, top_value, types)] = _query(
        built_warehouse,
        "select arg_max(deal_id, value_usd), max(value_usd), list(distinct deal_type) "
        "from marts.deals",
    )
    assert top_deal == "tr-us-botas-mercuria-lng-2025"  # $43bn, an estimate
    assert top_value < 100_000_000_000 and "target" not in types
    [(pipeline_total,)] = _query(
        built_warehouse, "select sum(disclosed_value_usd) from marts.deals_pipeline"
    )
    [(deals_total,)] = _query(
        built_warehouse,
        "select sum(value_usd) filter (where not is_value_recurring) from marts.deals",
    )
    assert pipeline_total == deals_total


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
        "select announced_on, announced_date, announced_date_precision, goal_value_usd, "
        "is_value_recurring, status, status_date, event_count "
        f"from marts.trade_goals where goal_id = '{TARGET}'",
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
    # Pegasus list price 36bn + Mercuria estimate 43bn (signed); F-16 ~7bn after Turkey cut
    # the package (in progress); the $100bn goal is not a deal (marts.trade_goals)
    assert rows == [
        ("in_progress", 1, Decimal(7_000_000_000)),
        ("operational", 3, None),
        ("signed", 9, Decimal(79_000_000_000)),
        ("talks", 3, None),
    ]


@pytest.mark.parametrize(
    ("month_date", "firm", "estimated"),
    [
        pytest.param(date(2023, 12, 1), (0, 0), (0, 0), id="before-any-valued-deal"),
        # the F-16 figure is an estimate (~$7bn since Turkey cut the package): only with
        # estimates; the register's value as it stands today, for every month
        pytest.param(date(2024, 1, 1), (0, 0), (7_000_000_000, 1), id="f16-approval-announced"),
        pytest.param(
            date(2024, 12, 1), (36_000_000_000, 1), (43_000_000_000, 2), id="pegasus-order"
        ),
        pytest.param(date(2025, 9, 1), (36_000_000_000, 1), (86_000_000_000, 3), id="mercuria-lng"),
        pytest.param(date(2026, 8, 1), (36_000_000_000, 1), (86_000_000_000, 3), id="latest"),
    ],
)
def test_announced_deal_value_sits_beside_the_gap(
    built_warehouse: Settings,
    month_date: date,
    firm: tuple[int, int],
    estimated: tuple[int, int],
) -> None:
    rows = _query(
        built_warehouse,
        "select announced_deal_value_usd, announced_deal_count, "
        "announced_deal_value_incl_estimates_usd, announced_deal_count_incl_estimates, "
        f"gap_usd is not null from marts.trade_goal_progress where month_date = '{month_date}'",
    )
    assert rows == [(Decimal(firm[0]), firm[1], Decimal(estimated[0]), estimated[1], True)]


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
