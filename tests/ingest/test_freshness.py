"""Source freshness in `tradewatch status`: dbt's verdict per source table, summarised."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ingest.cli import app
from ingest.freshness import summarise
from ingest.runlock import run_lock
from ingest.settings import Settings
from tests.warehouse_copies import copy_built, settings_env

ARTIFACT = {
    "results": [
        {
            "unique_id": "source.tradewatch.census_country.monthly_flows",
            "max_loaded_at": "2026-11-27T09:17:28.518556+00:00",
            "max_loaded_at_time_ago_in_s": 380.4,
            "status": "pass",
            "criteria": {
                "warn_after": {"count": 45, "period": "day"},
                "error_after": {"count": 120, "period": "day"},
                "filter": None,
            },
        },
        {
            "unique_id": "source.tradewatch.comtrade.flows",
            "status": "runtime error",
            "error": "Catalog Error: Table with name flows does not exist!",
            "criteria": {"warn_after": {"count": None, "period": None}},
        },
    ]
}


def test_summarise_reads_dbt_sources_artifact() -> None:
    rows = summarise(ARTIFACT)
    assert [(row.source, row.table, row.status) for row in rows] == [
        ("census_country", "monthly_flows", "pass"),
        ("comtrade", "flows", "runtime error"),
    ]
    assert rows[0].age_hours == 0.1
    assert (rows[0].warn_after, rows[0].error_after) == ("45 day", "120 day")
    assert rows[1].warn_after is None
    assert rows[1].message is not None and "does not exist" in rows[1].message


def test_status_shows_freshness_and_the_published_build(
    built_warehouse: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = copy_built(built_warehouse, tmp_path)
    for key, value in settings_env(settings).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("COLUMNS", "200")  # tables unwrapped, one row per line
    manifest = json.loads((settings.published_dir / "manifest.json").read_text())
    checks = manifest["expectations"]

    result = CliRunner().invoke(app, ["status"])

    # the bundled data ends months before today's publisher calendar: stale, exit 1
    assert result.exit_code == 1, result.output
    assert "status: census-country data is stale" in result.output
    assert f"published: build {manifest['build_id']}" in result.output
    assert f"expectations {checks['passed']} passed / 0 failed" in result.output
    assert checks["failed"] == 0 and checks["passed"] > 0
    for table in ("census_country.monthly_flows", "census_country.annual_totals"):
        line = next(line for line in result.output.splitlines() if table in line)
        assert "pass" in line and "45 day / 120 day" in line


def test_status_during_a_run_reads_the_published_ledger_and_skips_freshness(
    built_warehouse: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = copy_built(built_warehouse, tmp_path)
    for key, value in settings_env(settings).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("COLUMNS", "200")  # tables unwrapped, one row per line
    with run_lock(settings, "run"):
        result = CliRunner().invoke(app, ["status"])
    assert result.exit_code == 1, result.output  # stale bundled data, read from the copy
    assert "a run is in progress" in result.output
    assert "ledger as of the last publish" in result.output
    assert "load freshness skipped" in result.output
    assert "census-country" in result.output
