from __future__ import annotations

import re
from pathlib import Path

import duckdb
from typer.testing import CliRunner

from ingest.cli import app
from ingest.settings import Settings
from ingest.sources.base import bundled_path

runner = CliRunner()


def test_help_lists_every_command() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("build", "ingest", "transform", "status", "query"):
        assert command in result.output


def test_ingest_a_bad_file_exits_1_naming_the_file_and_records_the_failure(
    settings: Settings, tmp_path: Path
) -> None:
    broken = tmp_path / "country.xlsx"
    broken.write_bytes(
        bundled_path("census_country", "country_xlsx_2023-01.xlsx").read_bytes()[:5000]
    )

    result = runner.invoke(app, ["ingest", "census-country", "--file", str(broken)])

    assert result.exit_code == 1
    assert "country.xlsx" in result.output
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        assert con.execute("select status from ops.loads").fetchall() == [("failed",)]
        tables = con.execute(
            "select count(*) from duckdb_tables() where schema_name like 'raw_%'"
        ).fetchone()
    assert tables == (0,)


def test_ingest_a_missing_file_exits_1(settings: Settings, tmp_path: Path) -> None:
    result = runner.invoke(app, ["ingest", "census-country", "--file", str(tmp_path / "no.xlsx")])
    assert result.exit_code == 1
    assert "no such file" in result.output


def test_unknown_source_is_a_usage_error(settings: Settings) -> None:
    result = runner.invoke(app, ["ingest", "nowhere"])
    assert result.exit_code == 2
    assert "unknown source" in result.output


def test_ingest_then_status_shows_the_last_load(settings: Settings) -> None:
    loaded = runner.invoke(app, ["ingest", "reference"])
    assert loaded.exit_code == 0, loaded.output

    result = runner.invoke(app, ["status"], env={"COLUMNS": "200"})

    assert result.exit_code == 0, result.output  # a code list has no release calendar
    assert re.search(r"│ reference +│ countries +│ \d{4}-\d\d-\d\d \d\d:\d\d +│", result.output)


def test_status_without_a_warehouse_says_how_to_build_one(settings: Settings) -> None:
    result = runner.invoke(app, ["status"])
    assert result.exit_code == 1
    assert "tradewatch build" in result.output
