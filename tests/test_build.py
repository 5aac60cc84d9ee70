"""The offline build end to end: bundled files → raw → dbt → marts, read back read-only."""

from __future__ import annotations

import csv
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from ingest import pipeline
from ingest.cli import app
from ingest.settings import Settings
from tests.conftest import fixture_path
from tests.warehouse_copies import copy_built

PUBLISHED_ANNUAL = fixture_path("census_country", "us_turkey_goods_annual.csv")


def query(settings: Settings, sql: str) -> list[tuple]:
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        return con.execute(sql).fetchall()


def millions(value_usd: Decimal) -> Decimal:
    return (Decimal(value_usd) / 1_000_000).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def published_years() -> list[dict[str, str]]:
    with PUBLISHED_ANNUAL.open() as handle:
        return [row for row in csv.DictReader(handle) if int(row["year"]) <= 2025]


def test_every_load_succeeded(built_warehouse: Settings) -> None:
    statuses = query(built_warehouse, "select distinct status from ops.loads")
    assert statuses == [("ok",)]


@pytest.mark.parametrize("row", published_years(), ids=lambda row: row["year"])
def test_annual_mart_equals_the_published_annual_totals(
    built_warehouse: Settings, row: dict[str, str]
) -> None:
    [(exports, imports, complete)] = query(
        built_warehouse,
        "select us_exports_usd, us_imports_usd, is_complete_year "
        f"from marts.us_turkey_trade_annual where year = {int(row['year'])}",
    )
    assert complete is True
    assert millions(exports) == Decimal(row["exports_usd_mn"])
    assert millions(imports) == Decimal(row["imports_usd_mn"])


def test_goal_progress_reaches_2026_08(built_warehouse: Settings) -> None:
    [(as_of, trailing, goal, gap)] = query(
        built_warehouse,
        "select month_date, total_trade_t12m_usd, goal_usd, gap_usd "
        "from marts.trade_goal_progress order by month_date desc limit 1",
    )
    assert as_of == date(2026, 8, 1)
    [(expected,)] = query(
        built_warehouse,
        "select sum(total_trade_usd) from marts.us_turkey_trade_monthly "
        "where month_date between '2025-09-01' and '2026-08-01'",
    )
    assert trailing == expected
    assert goal == 100_000_000_000 and gap == goal - trailing


def test_months_come_from_the_newest_vintage(built_warehouse: Settings) -> None:
    rows = query(
        built_warehouse,
        "select month_date, vintage, is_rounded, us_exports_usd from marts.us_turkey_trade_monthly "
        "where month_date in ('2021-12-01', '2022-01-01')  order by 1",
    )
    assert rows == [
        (date(2021, 12, 1), "2024-06", False, rows[0][3]),
        (date(2022, 1, 1), "2026-08", True, Decimal(1_433_500_000)),
    ]


def test_earlier_vintages_stay_queryable(built_warehouse: Settings) -> None:
    rows = query(
        built_warehouse,
        "select vintage, value_usd from staging.stg_census_country__monthly_flows "
        "where partner_census_code = '4890' and month_date = '2021-01-01' and flow = 'export' "
        "order by vintage",
    )
    # census/PROVENANCE.md: January 2021 exports 802.649388 in the 2023-03 workbook
    assert ("2023-01", Decimal(802_649_388)) in rows
    assert [vintage for vintage, _ in rows] == ["2022-01", "2023-01", "2024-06"]


def test_partner_ranks_use_one_release_per_year_and_end_with_2025(
    built_warehouse: Settings,
) -> None:
    rows = query(
        built_warehouse,
        "select year, count(distinct (source, vintage)), max(year) over () "
        "from marts.us_trade_partners_annual group by year",
    )
    assert all(releases == 1 for _, releases, _ in rows)
    assert rows[0][2] == 2025
    [(rank, iso3)] = query(
        built_warehouse,
        "select rank_by_total, partner_iso3 from marts.us_trade_partners_annual "
        "where year = 2025 and partner_census_code = '4890'",
    )
    assert iso3 == "TUR" and 1 < rank < 60


def test_scenarios_cover_every_target_year(built_warehouse: Settings) -> None:
    rows = query(
        built_warehouse,
        "select target_year, required_annual_growth_pct > 0 from marts.trade_goal_scenarios "
        "where month_date = '2026-08-01' order by 1",
    )
    assert rows == [(2027, True), (2028, True), (2030, True), (2035, True)]


@pytest.mark.parametrize("mart", ["trade_goal_progress", "trade_goal_scenarios"])
def test_the_deprecated_as_of_month_is_an_alias_of_month_date(
    built_warehouse: Settings, mart: str
) -> None:
    [(rows, differing)] = query(
        built_warehouse,
        f"select count(*), count(*) filter (where as_of_month is distinct from month_date) "
        f"from marts.{mart}",
    )
    assert rows > 200 and differing == 0


def test_trailing_twelve_month_growth_and_its_goal_year(built_warehouse: Settings) -> None:
    [(growth, year, now, year_ago)] = query(
        built_warehouse,
        "select progress.total_trade_t12m_yoy_pct, progress.projected_goal_year_t12m, "
        "progress.total_trade_t12m_usd, earlier.total_trade_t12m_usd "
        "from marts.trade_goal_progress as progress "
        "inner join marts.trade_goal_progress as earlier "
        "on earlier.month_date = progress.month_date - interval 12 months "
        "where progress.month_date = '2026-08-01'",
    )
    assert growth == round((float(now) / float(year_ago) - 1) * 100, 4)
    assert round(growth, 1) == 27.5
    assert year == 2030  # ln(100 / 42.64) / ln(1.275) = 3.5 years from 2026-08


def test_the_build_summary_shows_both_growth_rates(built_warehouse: Settings) -> None:
    output = (built_warehouse.db_path.parent.parent / "build-output.txt").read_text()
    assert "5-year growth          12.3 % a year → goal reached: 2034" in output
    assert "12-month growth        27.5 % a year → goal reached: 2030" in output


def test_an_incomplete_year_has_no_share_of_the_goal(built_warehouse: Settings) -> None:
    rows = query(
        built_warehouse,
        "select year, months_reported, first_month_date, last_month_date, pct_of_goal "
        "from marts.us_turkey_trade_annual where not is_complete_year",
    )
    assert rows == [(2026, 8, date(2026, 1, 1), date(2026, 8, 1), None)]
    [(without_share,)] = query(
        built_warehouse,
        "select count(*) from marts.us_turkey_trade_annual "
        "where is_complete_year and pct_of_goal is null",
    )
    assert without_share == 0


def test_a_second_ingest_of_the_same_files_is_all_skipped(
    built_warehouse: Settings, tmp_path: Path
) -> None:
    warehouse = copy_built(built_warehouse, tmp_path)  # the ledger gains rows: not the shared one
    before = query(warehouse, "select count(*) from raw_census_country.monthly_flows")
    results = pipeline.ingest_all(warehouse)
    assert {result.status for result in results} == {"skipped"}
    assert query(warehouse, "select count(*) from raw_census_country.monthly_flows") == before


def test_query_command_reads_marts_and_refuses_file_access(built_warehouse: Settings) -> None:
    runner = CliRunner()
    env = {"TRADEWATCH_DB": str(built_warehouse.db_path)}
    result = runner.invoke(
        app,
        [
            "query",
            "select count(*) as months from marts.us_turkey_trade_monthly",
            "--format",
            "csv",
        ],
        env=env,
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["months", "500"]
    for sql in (
        "select * from read_csv('/etc/passwd')",
        "copy marts.countries to '/tmp/stolen.csv'",
        "attach '/tmp/other.duckdb'",
        "create table marts.x as select 1",
    ):
        refused = runner.invoke(app, ["query", sql], env=env)
        assert refused.exit_code == 1, sql
        assert "query refused" in refused.output
