"""`warehouse.session`: one open file for many short connections, and nothing left behind."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from ingest import warehouse


def test_a_session_that_never_connects_creates_no_file(tmp_path: Path) -> None:
    db_path = tmp_path / "warehouse" / "tradewatch.duckdb"
    with warehouse.session(db_path):
        pass
    assert not db_path.exists()


def test_reading_a_missing_file_in_a_session_fails_as_outside_one(tmp_path: Path) -> None:
    db_path = tmp_path / "tradewatch.duckdb"
    with (
        warehouse.session(db_path),
        pytest.raises(duckdb.IOException),
        warehouse.connect(db_path, read_only=True),
    ):
        pass
    assert not db_path.exists()


def test_connections_in_a_session_share_the_file_and_release_it_at_the_end(
    tmp_path: Path,
) -> None:
    db_path = tmp_path / "tradewatch.duckdb"
    with warehouse.session(db_path):
        with warehouse.transaction(db_path) as con:
            con.execute("create table facts (value integer)")
            con.execute("insert into facts values (1)")
        with warehouse.connect(db_path, read_only=True) as reader:  # no configuration clash
            assert reader.execute("select value from facts").fetchall() == [(1,)]
    other = subprocess.run(  # another process may write the file once the session ended
        [sys.executable, "-c", f"import duckdb; duckdb.connect({str(db_path)!r}).close()"],
        capture_output=True,
        text=True,
    )
    assert other.returncode == 0, other.stderr


def test_a_writers_ddl_runs_once_in_a_session_and_every_time_outside_one(tmp_path: Path) -> None:
    db_path = tmp_path / "tradewatch.duckdb"
    with duckdb.connect(str(db_path)) as con:
        con.execute("create table ddl_runs (run integer)")
    ddl = "insert into ddl_runs values (1)"  # counts its runs (the ledger's DDL cannot)

    def runs() -> int:
        with warehouse.connect(db_path, read_only=True) as con:
            return con.execute("select count(*) from ddl_runs").fetchall()[0][0]

    with warehouse.session(db_path):
        for _ in range(3):
            with warehouse.connect(db_path, ddl=ddl):
                pass
        with warehouse.connect(db_path, ddl="insert into ddl_runs values (2)"):
            pass  # another DDL runs too
        assert runs() == 2
    for _ in range(2):
        with warehouse.connect(db_path, ddl=ddl):
            pass
    assert runs() == 4
    with warehouse.session(db_path), warehouse.connect(db_path, ddl=ddl):
        pass  # a new session runs it again
    assert runs() == 5


def test_a_bulk_load_in_a_session_leaves_the_database_settings_as_they_were(
    tmp_path: Path,
) -> None:
    db_path = tmp_path / "tradewatch.duckdb"
    settings_sql = (
        "select current_setting('memory_limit'), current_setting('preserve_insertion_order')"
    )
    with warehouse.session(db_path):
        with warehouse.connect(db_path) as con:
            before = con.execute(settings_sql).fetchall()
        with warehouse.transaction(db_path, memory_limit="64MB", bulk=True) as con:
            assert con.execute(settings_sql).fetchall() != before
        with warehouse.connect(db_path) as con:
            assert con.execute(settings_sql).fetchall() == before
