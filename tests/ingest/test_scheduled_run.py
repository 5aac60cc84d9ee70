"""`tradewatch run` with readers and rivals: the claims a scheduler and a BI tool rely on.

One scenario on a copy of the session build, observed once (module fixture):
a reader process opens the published copy and keeps its connection; `tradewatch run` #1
starts; once #1 holds the run lock, `tradewatch run` #2 starts and must exit 3 at once,
naming #1, while #1 is still running; the reader keeps querying its open connection for as
long as #1 runs; #1 finishes with exit 0; the reader's open connection still reads the old
copy, and a new connection reads the new one. #1 is forced on the same data with a webhook
listening (tests/webhooks.py): no figure moves, so nothing is sent.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from ingest import pipeline
from ingest.cli import app
from ingest.errors import SourceUnavailable
from ingest.runlock import lock_path
from ingest.settings import Settings
from tests.warehouse_copies import copy_built, published_files, settings_env, tradewatch
from tests.webhooks import listening_webhook

READER = r"""
import sys
import duckdb

path = sys.argv[1]
con = duckdb.connect(path, read_only=True)

def read():
    build_id = con.execute("select build_id from ops.publication").fetchall()[0][0]
    months = con.execute("select count(*) from marts.trade_goal_progress").fetchall()[0][0]
    return f"{build_id} {months}"

print("ready", read(), flush=True)
for line in sys.stdin:
    command = line.strip()
    if command == "read":
        print("read", read(), flush=True)
    elif command == "reconnect":
        con.close()
        con = duckdb.connect(path, read_only=True)
        print("reconnected", read(), flush=True)
    else:
        break
"""


@dataclass
class Scenario:
    settings: Settings
    before_build_id: str
    reader_first: str
    rival_code: int
    rival_stderr: str
    first_pid: int
    first_running_when_rival_ended: bool
    reads_during_run: list[str] = field(default_factory=list)
    first_code: int = -1
    first_output: str = ""
    read_after_on_old_connection: str = ""
    read_after_reconnect: str = ""
    manifest_build_id: str = ""
    notifications: list[dict[str, object]] = field(default_factory=list)


def _ask(reader: subprocess.Popen[str], command: str) -> str:
    assert reader.stdin is not None and reader.stdout is not None
    reader.stdin.write(command + "\n")
    reader.stdin.flush()
    return reader.stdout.readline().strip()


def _wait_for_lock_note(path: Path, pid: int, process: subprocess.Popen[str]) -> None:
    """Poll until the run names itself in the lock file (bounded: the run may fail first)."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and process.poll() is None:
        if path.exists() and f'"pid": {pid}' in path.read_text():
            return
        time.sleep(0.05)
    raise AssertionError(f"run {pid} never took the lock (exit {process.poll()})")


@pytest.fixture(scope="module")
def scenario(built_warehouse: Settings, tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    settings = copy_built(built_warehouse, tmp_path_factory.mktemp("scheduled"))
    with listening_webhook() as webhook:
        observed = _observe(
            settings, {**settings_env(settings), "TRADEWATCH_NOTIFY_URLS": webhook.url}
        )
    observed.notifications = webhook.received
    return observed


def _observe(settings: Settings, env: dict[str, str]) -> Scenario:
    published = settings.published_dir / "tradewatch.duckdb"
    before = json.loads((settings.published_dir / "manifest.json").read_text())["build_id"]
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(published)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    first = subprocess.Popen(
        tradewatch("run", "--no-freshness", "--force"),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert reader.stdout is not None
        reader_first = reader.stdout.readline().strip()
        _wait_for_lock_note(lock_path(settings), first.pid, first)
        rival = subprocess.run(
            tradewatch("run", "--no-freshness", "--force"),
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        observed = Scenario(
            settings=settings,
            before_build_id=before,
            reader_first=reader_first,
            rival_code=rival.returncode,
            rival_stderr=rival.stderr,
            first_pid=first.pid,
            first_running_when_rival_ended=first.poll() is None,
        )
        while first.poll() is None:
            observed.reads_during_run.append(_ask(reader, "read"))
            time.sleep(0.2)
        output, _ = first.communicate(timeout=600)
        observed.first_code, observed.first_output = first.returncode, output
        observed.read_after_on_old_connection = _ask(reader, "read")
        observed.read_after_reconnect = _ask(reader, "reconnect")
        manifest = json.loads((settings.published_dir / "manifest.json").read_text())
        observed.manifest_build_id = manifest["build_id"]
        return observed
    finally:
        first.kill()
        reader.kill()
        reader.wait()


def test_the_run_succeeds_while_a_reader_holds_the_published_copy(scenario: Scenario) -> None:
    assert scenario.reader_first.startswith(f"ready {scenario.before_build_id} ")
    assert scenario.first_code == 0, scenario.first_output
    assert "run finished: exit 0 (ok)" in scenario.first_output
    assert scenario.manifest_build_id != scenario.before_build_id


def test_the_reader_keeps_reading_during_the_run_then_sees_the_new_copy(
    scenario: Scenario,
) -> None:
    assert scenario.reads_during_run, "the run ended before the reader could query"
    expected = f"read {scenario.before_build_id} 489"
    assert set(scenario.reads_during_run) == {expected}
    assert scenario.read_after_on_old_connection == expected  # the old inode, still whole
    assert scenario.read_after_reconnect == f"reconnected {scenario.manifest_build_id} 489"


def test_a_second_run_exits_3_at_once_naming_the_first(scenario: Scenario) -> None:
    assert scenario.rival_code == 3, scenario.rival_stderr
    assert f"pid {scenario.first_pid} " in scenario.rival_stderr
    assert "another tradewatch run holds the lock" in scenario.rival_stderr
    assert scenario.first_running_when_rival_ended  # it did not wait for the first run


def test_a_forced_run_that_moves_no_figure_sends_no_alert(scenario: Scenario) -> None:
    assert scenario.first_code == 0, scenario.first_output
    assert scenario.notifications == []


def test_each_run_writes_its_own_log_file(scenario: Scenario) -> None:
    logs = sorted((scenario.settings.db_path.parent / "logs").glob("run-*.log"))
    texts = [log.read_text() for log in logs]
    assert len(texts) == 2
    assert sum("run finished: exit 0 (ok)" in text for text in texts) == 1
    assert sum("exit 3 (another run holds the lock)" in text for text in texts) == 1
    ok = next(text for text in texts if "exit 0" in text)
    assert f"published build {scenario.manifest_build_id}" in ok
    assert "dbt build:" in ok and "load census-country/workbook" in ok


def test_a_data_quality_failure_exits_1_and_publishes_nothing(
    built_warehouse: Settings, tmp_path: Path
) -> None:
    settings = copy_built(built_warehouse, tmp_path)
    with duckdb.connect(str(settings.db_path)) as con:  # a duplicate country breaks a key test
        con.execute(
            "insert into raw_reference.countries select * from raw_reference.countries "
            "where iso3 = 'TUR'"
        )
    before = published_files(settings)

    result = subprocess.run(
        tradewatch("run", "--no-freshness", "--force"),
        env=settings_env(settings),
        capture_output=True,
        text=True,
        timeout=900,
    )

    assert result.returncode == 1, result.stderr
    assert "TransformFailed" in result.stderr
    assert "unique_stg_reference__countries_country_iso3" in result.stderr
    assert "exit 1 (bad input or data-quality failure)" in result.stderr
    assert published_files(settings) == before
    refused = subprocess.run(
        tradewatch("publish"),
        env=settings_env(settings),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert refused.returncode == 1
    assert "failed node" in refused.stderr
    assert published_files(settings) == before


def test_an_unavailable_source_exits_75_and_publishes_nothing(
    built_warehouse: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = copy_built(built_warehouse, tmp_path)
    for key, value in settings_env(settings).items():
        monkeypatch.setenv(key, value)
    before = published_files(settings)

    def unreachable(*_: object, **__: object) -> list[object]:
        raise SourceUnavailable("https://census.invalid/country.xlsx: ConnectError after 5")

    monkeypatch.setattr(pipeline, "ingest_all", unreachable)
    result = CliRunner().invoke(app, ["run", "--live", "--no-freshness"])

    assert result.exit_code == 75, result.output
    assert "exit 75 (source unavailable; try later)" in result.output
    assert published_files(settings) == before
    log = next((settings.db_path.parent / "logs").glob("run-*.log")).read_text()
    assert "SourceUnavailable: https://census.invalid/country.xlsx" in log


def test_a_bug_exits_70_with_its_traceback_in_the_log(
    built_warehouse: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = copy_built(built_warehouse, tmp_path)
    for key, value in settings_env(settings).items():
        monkeypatch.setenv(key, value)

    def broken(*_: object, **__: object) -> list[object]:
        raise KeyError("a bug")

    monkeypatch.setattr(pipeline, "ingest_all", broken)
    result = CliRunner().invoke(app, ["run", "--no-freshness"])

    assert result.exit_code == 70
    log = next((settings.db_path.parent / "logs").glob("run-*.log")).read_text()
    assert "Traceback" in log and "KeyError: 'a bug'" in log
