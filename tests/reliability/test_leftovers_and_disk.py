"""What a killed run leaves is removed by the next one; a full disk or a read-only
filesystem is one line and exit 74 wherever it surfaces (landing, warehouse, publish,
dbt), never a traceback, never 40,000 lines of logging errors, never "data quality"."""

from __future__ import annotations

import errno
import logging
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pytest
from dbt.cli.main import dbtRunner, dbtRunnerResult
from typer.testing import CliRunner

from ingest import landing, publish
from ingest.cli import app
from ingest.settings import Settings
from tests.ingest.test_loader import ledger


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_killed_runs_leftovers_are_removed_by_the_next_build(
    built_copy: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = built_copy
    out = settings.published_dir
    current = (out / "parquet").resolve()
    leftovers = [
        out / ".tradewatch.duckdb.20260101T000000Z-dead.next",
        out / ".tradewatch.duckdb.20260101T000000Z-dead.next.wal",
        out / ".manifest.json.20260101T000000Z-dead.next",
        out / ".builds" / "20260101T000000Z-dead" / "deals.parquet",
        settings.landing_dir / "reference" / "countries" / f".{dead_pid()}-countries.csv.partial",
        settings.landing_dir / "reference" / "countries" / ".countries.csv.partial",  # no pid
    ]
    for path in leftovers:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"half written")
    alive = settings.landing_dir / "reference" / "countries" / f".{os.getpid()}-mine.partial"
    alive.write_bytes(b"a live writer's")

    result = CliRunner().invoke(app, ["build"])

    assert result.exit_code == 0, result.output
    assert [path for path in leftovers if path.exists()] == []
    assert not (out / ".builds" / "20260101T000000Z-dead").exists()
    assert current.is_dir() and (out / "tradewatch.duckdb").is_file()
    assert alive.exists()  # a concurrent ingest's file is never touched


def test_a_publish_killed_before_its_first_swap_leaves_nothing_behind(
    seeded_settings: Settings,
) -> None:
    orphan = seeded_settings.published_dir / ".builds" / "20260101T000000Z-dead"
    orphan.mkdir(parents=True)
    (orphan / "deals.parquet").write_bytes(b"half")

    publish.remove_leftovers(seeded_settings)  # no parquet link yet: the first publish died

    assert not orphan.exists()


def test_landing_leftovers_of_a_dead_writer_are_removed(tmp_path: Path) -> None:
    dead = tmp_path / "s" / "d" / f".{dead_pid()}-x.csv.partial"
    dead.parent.mkdir(parents=True)
    dead.write_bytes(b"x")
    assert landing.remove_leftovers(tmp_path) == [dead]


def test_a_full_disk_during_dbt_is_exit_74_in_one_line_without_log_spam(
    built_copy: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:

    class FullDisk(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            try:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            except OSError:
                self.handleError(record)  # what a FileHandler on a full disk does

    def invoke(self: dbtRunner, args: list[str]) -> dbtRunnerResult:
        spam = logging.getLogger("dbt.full_disk")  # dbt's own file log, on the full disk
        spam.propagate = False
        spam.addHandler(FullDisk())
        for number in range(2000):
            spam.error("log line %d", number)
        node = SimpleNamespace(name="deals", relation_name=None)
        failed = SimpleNamespace(
            node=node,
            status="error",
            message='IO Error: Could not write file "tradewatch.duckdb.wal": '
            "No space left on device",
        )
        return dbtRunnerResult(success=False, result=SimpleNamespace(results=[failed]))

    monkeypatch.setattr(dbtRunner, "invoke", invoke)
    logs = tmp_path / "logs"

    result = CliRunner().invoke(app, ["run", "--force", "--no-freshness", "--log-dir", str(logs)])

    assert result.exit_code == 74, result.output
    (log_file,) = logs.glob("run-*.log")
    text = log_file.read_text()
    assert "No space left on device" in text and "exit 74 (cannot write" in text
    assert "data-quality" not in text and "Traceback" not in text
    captured = capfd.readouterr()
    assert "Logging error" not in captured.err
    assert len((captured.err + result.output).splitlines()) < 100


def test_a_read_only_warehouse_is_exit_74_in_one_line(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    def read_only(*_: object, **__: object) -> duckdb.DuckDBPyConnection:
        raise duckdb.IOException(
            f'IO Error: Cannot open file "{settings.db_path}": Read-only file system'
        )

    monkeypatch.setattr(duckdb, "connect", read_only)

    result = CliRunner().invoke(app, ["ingest", "reference"])

    assert result.exit_code == 74, result.output
    assert "Read-only file system" in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) <= 3


def test_a_read_only_landing_folder_is_exit_74_and_ledgered(
    seeded_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_mkdir = Path.mkdir

    def read_only(self: Path, *args: object, **kwargs: object) -> None:
        if self.is_relative_to(seeded_settings.landing_dir):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(self))
        real_mkdir(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "mkdir", read_only)

    result = CliRunner().invoke(app, ["ingest", "reference"])

    assert result.exit_code == 74, result.output
    assert "Read-only file system" in result.output and "Traceback" not in result.output
    assert ledger(seeded_settings.db_path)[-1]["status"] == "failed"


def test_a_full_disk_while_publishing_is_exit_74(
    seeded_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(*_: object, **__: object) -> dict[str, str]:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "published/.builds/x")

    monkeypatch.setattr(publish, "_export_marts", full)

    result = CliRunner().invoke(app, ["publish", "--force"])

    assert result.exit_code == 74, result.output
    assert "No space left on device" in result.output and "Traceback" not in result.output
    assert not list(seeded_settings.published_dir.glob(".*.next"))
