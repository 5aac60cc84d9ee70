"""`tradewatch diff`: a further Census vintage loaded with `--file` adds its revisions to the
marts, and the diff names them and the tracked figures they moved."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
from typer.testing import CliRunner

from ingest.cli import app
from ingest.settings import Settings
from tests.census_vintages import write_revised_vintage
from tests.warehouse_copies import copy_built, settings_env

REVISION_USD = 1_000_000_000


def test_a_new_vintage_adds_revisions_that_diff_names(
    built_warehouse: Settings, tmp_path: Path
) -> None:
    settings = copy_built(built_warehouse, tmp_path)
    env = settings_env(settings)
    runner = CliRunner()
    workbook = write_revised_vintage(tmp_path / "country.xlsx")

    loaded = runner.invoke(app, ["ingest", "census-country", "--file", str(workbook)], env=env)
    assert loaded.exit_code == 0, loaded.output
    assert "2024-07" in loaded.output
    built = runner.invoke(app, ["transform"], env=env)
    assert built.exit_code == 0, built.output

    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        revised = con.execute(
            "select flow, period_kind, strftime(period_date, '%Y-%m'), previous_release, "
            "revision_usd from marts.trade_release_revisions "
            "where release = '2024-07' and revision_usd <> 0 order by period_kind"
        ).fetchall()
    assert revised == [
        ("import", "month", "2011-05", "2024-06", REVISION_USD),
        ("import", "year", "2011-01", "2024-06", REVISION_USD),
    ]

    answer = runner.invoke(app, ["diff", "--format", "json"], env=env)
    assert answer.exit_code == 0, answer.output
    diff = json.loads(answer.stdout)
    assert diff["new_releases"] == ["census-country 2024-07"]
    figures = {row["name"]: row for row in diff["changes"] if row["kind"] == "figure"}
    assert figures["annual_total_usd_2011"]["change"] == REVISION_USD
    assert "t12m_total_usd" not in figures  # 2025-09 to 2026-08 come from the 2026 series
    revisions = [row for row in diff["changes"] if row["kind"] == "revision"]
    assert sorted((row["name"], row["release"], row["change"]) for row in revisions) == [
        ("Turkey import 2011", "census-country 2024-07", REVISION_USD),
        ("Turkey import 2011-05", "census-country 2024-07", REVISION_USD),
    ]

    since = runner.invoke(app, ["diff", "--since", "2024-07", "--format", "csv"], env=env)
    assert since.exit_code == 0, since.output
    assert since.stdout.splitlines()[0].startswith("kind,name,label,release")
    assert "Turkey import 2011-05" in since.stdout
    table = runner.invoke(app, ["diff"], env=env)
    assert "census-country 2024-07" in table.stdout
    assert "2 revised series" in table.stdout


def test_since_an_unknown_release_is_a_usage_error(
    built_warehouse: Settings, tmp_path: Path
) -> None:
    settings = copy_built(built_warehouse, tmp_path)
    answer = CliRunner().invoke(app, ["diff", "--since", "1999-01"], env=settings_env(settings))
    assert answer.exit_code == 2
    assert "--since 1999-01: no loaded release" in answer.output
