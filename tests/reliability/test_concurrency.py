"""Two writers at once: the second finds the warehouse locked, exits 3, changes nothing, and a
rerun after the first finishes completes. Readers use a read-only connection meanwhile."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ingest import pipeline
from ingest.cli import app
from ingest.errors import LockHeld
from ingest.settings import Settings
from tests.ingest.test_loader import ledger, raw_state
from tests.warehouse_copies import copy_built

# another `tradewatch` process in the middle of a load: it holds DuckDB's write lock until told
HOLDS_THE_LOCK = """
import sys, duckdb
con = duckdb.connect(sys.argv[1])
con.execute("begin transaction")
print("locked", flush=True)
sys.stdin.readline()
con.execute("rollback")
con.close()
"""


@pytest.fixture
def other_writer(seeded_settings: Settings):
    child = subprocess.Popen(
        [sys.executable, "-c", HOLDS_THE_LOCK, str(seeded_settings.db_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None and child.stdout.readline().strip() == "locked"
    yield child
    if child.poll() is None:
        child.communicate("done\n", timeout=60)


def test_a_second_writer_exits_3_and_changes_nothing(
    seeded: Path, seeded_settings: Settings, other_writer: subprocess.Popen[str]
) -> None:
    before = raw_state(seeded)  # the copy's rows: the locked file cannot be opened at all
    result = CliRunner().invoke(app, ["ingest", "reference"])

    assert result.exit_code == 3, result.output
    assert "in use by another process" in " ".join(result.output.split())
    with pytest.raises(LockHeld):
        pipeline.ingest_source("reference", seeded_settings)

    other_writer.communicate("done\n", timeout=60)
    assert raw_state(seeded_settings.db_path) == before
    before_ledger = ledger(seeded_settings.db_path)
    assert [entry["source"] for entry in before_ledger] == ["census-country"]
    rerun = pipeline.ingest_source("reference", seeded_settings)
    assert {result.status for result in rerun} == {"ok"}


def test_build_while_another_writer_holds_the_warehouse_exits_3(
    seeded_settings: Settings, other_writer: subprocess.Popen[str]
) -> None:
    result = CliRunner().invoke(app, ["build"])

    assert result.exit_code == 3, result.output
    message = " ".join(result.output.split())  # one line, pointing readers to the copy
    published = seeded_settings.published_dir / seeded_settings.db_path.name
    assert f"readers should use the published copy {published} or `tradewatch query`" in message
    other_writer.communicate("done\n", timeout=60)
    assert [entry["source"] for entry in ledger(seeded_settings.db_path)] == ["census-country"]
    assert raw_state(seeded_settings.db_path)[0][0] == "raw_census_country.monthly_flows"


# `query` never opens the live file (T/test_query_bounds.py): only `status` meets the lock
@pytest.mark.parametrize("command", [pytest.param(["status"], id="status")])
def test_a_reader_during_a_write_without_a_published_copy_exits_3(
    command: list[str], seeded_settings: Settings, other_writer: subprocess.Popen[str]
) -> None:
    result = CliRunner().invoke(app, command)

    assert result.exit_code == 3, result.output
    assert "in use by another process" in " ".join(result.output.split())
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_readers_use_the_published_copy_while_a_writer_holds_the_warehouse(
    built_warehouse: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = copy_built(built_warehouse, tmp_path)
    monkeypatch.setenv("TRADEWATCH_DB", str(copy.db_path))
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDS_THE_LOCK, str(copy.db_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        sql = "select count(*) as months from marts.us_turkey_trade_monthly"
        result = CliRunner().invoke(app, ["query", sql, "--format", "csv"])
    finally:
        holder.communicate("done\n", timeout=60)

    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["months", "500"]
