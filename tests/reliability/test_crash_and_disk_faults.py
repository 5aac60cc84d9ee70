"""Process and disk faults: a load killed mid-transaction, a full landing disk, bad --file paths."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from ingest import landing, pipeline
from ingest.errors import FileRefused, LandingError
from ingest.settings import Settings
from ingest.sources.base import bundled_path
from ingest.sources.reference import REFERENCE
from tests.ingest.test_loader import ledger, raw_state

WORKBOOK = bundled_path("census_country", "country_xlsx_2023-01.xlsx")
DERIVED_MONTHLY = bundled_path("census_country", "us_turkey_goods_monthly.csv")

# Runs the real CLI in a child process whose publish is killed with SIGKILL after the rows and the
# ledger row are written but before COMMIT: the moment a power cut would hurt most.
KILLED_DURING_PUBLISH = """
import os, signal, sys
from ingest import ledger
insert_record = ledger.insert_record
def insert_then_die(con, record, outcomes):
    insert_record(con, record, outcomes)
    os.kill(os.getpid(), signal.SIGKILL)
ledger.insert_record = insert_then_die
from ingest.cli import app
app(sys.argv[1:])
"""


def test_kill_9_during_the_publish_transaction_leaves_the_warehouse_consistent(
    settings: Settings,
) -> None:
    pipeline.ingest_source("census-country", settings, file=DERIVED_MONTHLY)
    before_rows, before_ledger = raw_state(settings.db_path), ledger(settings.db_path)

    child = subprocess.run(
        [sys.executable, "-c", KILLED_DURING_PUBLISH, "ingest", "reference"],
        env=os.environ.copy(),
        capture_output=True,
        timeout=300,
    )

    assert child.returncode == -signal.SIGKILL, child.stderr.decode()[-2000:]
    assert raw_state(settings.db_path) == before_rows
    assert ledger(settings.db_path) == before_ledger
    rerun = pipeline.ingest_source("reference", settings)
    assert [result.status for result in rerun] == ["ok"] * len(REFERENCE.datasets)
    assert [entry["status"] for entry in ledger(settings.db_path)][-1] == "ok"


def test_a_full_landing_disk_fails_cleanly_and_leaves_no_partial_payload(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    pipeline.ingest_source("reference", settings)
    before = raw_state(settings.db_path)

    def disk_full(handle_path: Path, content: bytes) -> None:
        partial = handle_path.with_name(handle_path.name + ".partial")
        partial.write_bytes(content[:10])
        partial.unlink()
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(landing, "_write_atomically", disk_full)
    with pytest.raises(LandingError, match="No space left on device"):
        pipeline.ingest_source("census-country", settings, file=WORKBOOK)

    assert raw_state(settings.db_path) == before
    assert ledger(settings.db_path)[-1]["status"] == "failed"
    assert not list((settings.landing_dir / "census-country").rglob("*.partial"))


def test_landing_write_failure_removes_the_partial_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_space(*_: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(OSError):
        landing.archive(b"payload", source="s", dataset="d", origin="f.csv", landing_dir=tmp_path)
    assert not list(tmp_path.rglob("*.partial"))


def test_a_file_outside_the_allowed_folders_is_refused(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TRADEWATCH_FILE_ROOTS", str(tmp_path / "inbox"))
    settings = Settings.from_env()
    with pytest.raises(FileRefused, match="outside the folders"):
        pipeline.ingest_source("census-country", settings, file=Path("/etc/passwd"))
    escaping_link = tmp_path / "inbox" / "country.xlsx"
    escaping_link.parent.mkdir()
    escaping_link.symlink_to("/etc/passwd")
    with pytest.raises(FileRefused, match="outside the folders"):
        pipeline.ingest_source("census-country", settings, file=escaping_link)
    assert not settings.db_path.exists()
