"""`tradewatch query` reads only the published copy, with DuckDB's memory, spill space and
wall time capped: one query reached 11 GB RSS with no timeout and could spill to 90 % of the
disk, and without a published copy a long query held the live file so `build` exited 3."""

from __future__ import annotations

import subprocess
import sys

import duckdb
import pytest
from typer.testing import CliRunner

from ingest import publish
from ingest.cli import app
from ingest.settings import Settings

LONG_QUERY = "select sum(a.range * b.range) from range(1000000) a, range(1000000) b"


@pytest.fixture
def published(seeded_settings: Settings) -> Settings:
    publish.publish(seeded_settings)
    return seeded_settings


def test_without_a_published_copy_query_says_so_and_never_opens_the_live_file(
    seeded_settings: Settings,
) -> None:
    holder = subprocess.Popen(  # a build in progress: the live file is locked for writing
        [
            sys.executable,
            "-c",
            "import sys, duckdb; con = duckdb.connect(sys.argv[1]); print('locked', flush=True);"
            " sys.stdin.readline()",
            str(seeded_settings.db_path),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        result = CliRunner().invoke(app, ["query", "select 1"])
    finally:
        holder.communicate("done\n", timeout=60)

    assert result.exit_code == 1, result.output
    assert "nothing published yet" in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) <= 2  # one line, wrapped at most once


def test_a_query_past_its_timeout_is_stopped(
    published: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRADEWATCH_QUERY_TIMEOUT_S", "0.5")

    result = CliRunner().invoke(app, ["query", LONG_QUERY])

    assert result.exit_code == 1, result.output
    assert "TRADEWATCH_QUERY_TIMEOUT_S" in result.output and "Traceback" not in result.output


def test_a_query_past_its_memory_and_temp_space_is_refused(
    published: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRADEWATCH_QUERY_MEMORY_LIMIT", "64MB")
    monkeypatch.setenv("TRADEWATCH_QUERY_TEMP_LIMIT", "1MB")
    sql = "select range, md5(range::varchar) as h from range(30000000) order by h"

    result = CliRunner().invoke(app, ["query", sql, "--format", "csv"])

    assert result.exit_code == 1, result.output[:500]
    assert "TRADEWATCH_QUERY_MEMORY_LIMIT" in result.output and "Traceback" not in result.output


def test_the_limits_are_the_connections_own_and_cannot_be_changed(
    published: Settings,
) -> None:
    result = CliRunner().invoke(
        app,
        [
            "query",
            "select current_setting('memory_limit') as m, "
            "current_setting('max_temp_directory_size') as t",
            "--format",
            "csv",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "GiB" in result.output or "GB" in result.output
    changed = CliRunner().invoke(app, ["query", "set memory_limit = '100GB'"])
    assert changed.exit_code == 1 and "query refused" in changed.output


def test_a_build_runs_while_a_query_reads_the_published_copy(published: Settings) -> None:
    with duckdb.connect(str(publish.published_database(published)), read_only=True) as reader:
        assert reader.execute("select 1").fetchone() == (1,)
        result = CliRunner().invoke(app, ["ingest", "reference"])
    assert result.exit_code == 0, result.output
