"""`tradewatch ingest census-hs --live` against a small HTTP server on 127.0.0.1: the
reconciliation test names a month that does not add up, and a failed chunk is named. That
the served values reach the raw tables and the marts unchanged is observed on the build in
tests/test_deals_build.py, which ingests the same months.

The server answers from tests/fixtures/census_hs (synthetic values in the documented shape;
their HS2 chapters add up to the bundled census-country Turkey totals, so the reconciliation
test runs on real totals). The warehouse starts as a copy of the session's offline build.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from ingest import transform
from ingest.cli import app
from ingest.settings import Settings
from tests.ingest.sources.census_hs_api import local_server

KEY = "fedcba9876543210fedcba9876543210fedcba98"  # shaped like a key; not a real one
RECONCILIATION = "assert_hs2_chapters_sum_to_country_totals"


@pytest.fixture
def live_warehouse(
    built_warehouse: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Settings:
    db_path = tmp_path / "warehouse" / "tradewatch.duckdb"
    db_path.parent.mkdir(parents=True)
    shutil.copy(built_warehouse.db_path, db_path)
    monkeypatch.setenv("TRADEWATCH_DB", str(db_path))
    monkeypatch.setenv("TRADEWATCH_LANDING", str(tmp_path / "landing"))
    monkeypatch.setenv("CENSUS_API_KEY", KEY)
    return Settings.from_env()


def test_reconciliation_names_the_month_and_the_difference(
    live_warehouse: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    with local_server() as (base_url, _):
        monkeypatch.setenv("CENSUS_API_BASE_URL", base_url)
        result = CliRunner().invoke(
            app,
            ["ingest", "census-hs", "--live", "--from", "2024-02", "--to", "2024-02",
             "--dataset", "turkey_by_hs"],
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    agreeing = transform.run_dbt(live_warehouse, "test", "--select", RECONCILIATION)
    assert agreeing.success, agreeing.failures  # staging views see the new raw rows at once

    with duckdb.connect(str(live_warehouse.db_path)) as con:  # one chapter $1.2 million off
        con.execute(
            "update raw_census_hs.turkey_by_hs set all_val_mo = all_val_mo + 1200000 "
            "where month = '2024-02' and comm_lvl = 'HS2' and commodity = '88'"
        )
    failing = transform.run_dbt(live_warehouse, "test", "--select", RECONCILIATION)
    assert not failing.success
    (message,) = failing.failures
    assert message.startswith(f"{RECONCILIATION}: Got 1 result")
    assert "month_date=2024-02-01, flow=export" in message
    assert "difference_usd=1200000" in message


def test_cli_exits_non_zero_naming_the_failed_chunk(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRADEWATCH_HTTP_ATTEMPTS", "1")  # no retries, so no waiting
    with local_server(failing=frozenset({"exports_2024-01_HS4"})) as (base_url, paths):
        monkeypatch.setenv("CENSUS_API_BASE_URL", base_url)
        args = ["ingest", "census-hs", "--live", "--from", "2024-01", "--to", "2024-01",
                "--dataset", "turkey_by_hs"]  # fmt: skip
        result = CliRunner().invoke(app, args)
    assert result.exit_code == 75, result.output
    assert "1 chunk(s) failed" in result.output
    assert "turkey_by_hs exports:2024-01:HS4" in result.output
    assert "HTTP 500 after 1 attempts" in result.output
    assert len(paths) == 4 and result.output.count("│ ok ") == 3  # the others loaded
