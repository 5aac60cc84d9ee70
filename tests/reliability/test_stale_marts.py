"""The no-op check compares the newest load with the last dbt run (`ops.dbt_runs`), not
with the publication: after `ingest deals` (a changed title) → `publish` → `build`, the
build said "nothing changed" and `marts.deals` kept the old title until `--force`."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from ingest.cli import app
from ingest.settings import Settings
from tests.ingest.deals_register.cases import copy_register, read_rows, write_rows

NEW_TITLE = "A title changed after the last build"


def test_ingest_then_publish_then_build_rebuilds_the_marts(
    built_copy: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = built_copy
    folder = copy_register(tmp_path / "deals")
    rows = read_rows(folder, "deals.csv")
    deal_id = rows[0]["deal_id"]
    rows[0]["title"] = NEW_TITLE
    write_rows(folder, "deals.csv", rows)
    monkeypatch.setenv("TRADEWATCH_DEALS_DIR", str(folder))
    runner = CliRunner()

    for command in (["ingest", "deals"], ["publish"], ["build"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 0, (command, result.output)

    assert "nothing changed" not in result.output
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        title = con.execute("select title from marts.deals where deal_id = ?", [deal_id])
        assert title.fetchone() == (NEW_TITLE,)
        runs = con.execute("select count(*) from ops.dbt_runs where success").fetchone()
    assert runs is not None and runs[0] >= 2  # the session's build and this one

    again = runner.invoke(app, ["build"])
    assert again.exit_code == 0, again.output
    assert "nothing changed" in again.output  # and now the check may skip
