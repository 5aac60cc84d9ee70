"""The nowcast and its backtest after one offline `tradewatch build` (session fixture)."""

from __future__ import annotations

import duckdb

from ingest.settings import Settings


def query(settings: Settings, sql: str) -> list[tuple[object, ...]]:
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_every_month_since_1995_has_a_nowcast_with_an_interval(built_warehouse: Settings) -> None:
    [(months, first, last, with_interval, inside)] = query(
        built_warehouse,
        """
        select count(*), min(as_of_month), max(as_of_month),
               count(nowcast_low_usd),
               count(*) filter (
                   where nowcast_total_usd between nowcast_low_usd and nowcast_high_usd
               )
        from marts.trade_goal_nowcast""",
    )
    assert (str(first), str(last)) == ("1995-01-01", "2026-08-01")
    assert months == (2026 - 1995) * 12 + 8
    assert with_interval == months == inside


def test_december_nowcast_is_the_published_year(built_warehouse: Settings) -> None:
    rows = query(
        built_warehouse,
        """
        select nowcast.nowcast_total_usd, monthly.total
        from marts.trade_goal_nowcast as nowcast
        inner join (
            select year(month_date) as year, sum(total_trade_usd) as total
            from marts.us_turkey_trade_monthly group by 1
        ) as monthly on monthly.year = nowcast.year
        where nowcast.months_published = 12""",
    )
    assert len(rows) == 2025 - 1995 + 1
    assert all(nowcast == total for nowcast, total in rows)


def test_backtest_shows_both_methods_and_coverage_near_80(built_warehouse: Settings) -> None:
    rows = query(
        built_warehouse,
        """
        select method, count(*), any_value(overall_interval_coverage_pct),
               any_value(overall_mape_pct), any_value(is_selected_method)
        from marts.trade_goal_nowcast_backtest where flow = 'total' group by method order by 1""",
    )
    assert [row[0] for row in rows] == ["plain", "seasonal"]
    assert all(count == (2025 - 1995 + 1) * 11 for _, count, *_ in rows)
    assert all(70 <= coverage <= 90 for _, _, coverage, _, _ in rows)
    [selected] = [row for row in rows if row[4]]
    assert selected[3] == min(row[3] for row in rows)
    [(chosen,)] = query(built_warehouse, "select distinct method from marts.trade_goal_nowcast")
    assert chosen == selected[0]


def test_coverage_is_reported_for_every_month_of_the_year(built_warehouse: Settings) -> None:
    rows = query(
        built_warehouse,
        """
        select distinct months_published, interval_coverage_pct, mape_pct
        from marts.trade_goal_nowcast_backtest where flow = 'total' and method = 'plain'
        order by 1""",
    )
    assert [row[0] for row in rows] == list(range(1, 12))
    assert all(coverage is not None and mape > 0 for _, coverage, mape in rows)
