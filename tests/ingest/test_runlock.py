"""The run lock: one run at a time, the second fails at once naming the holder."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import pytest

from ingest.errors import LockHeld
from ingest.runlock import current_holder, lock_path, run_lock
from ingest.settings import Settings

HOLD = """
import sys
from ingest.runlock import run_lock
from ingest.settings import Settings
with run_lock(Settings.from_env(), "run"):
    print("holding", flush=True)
    sys.stdin.readline()
"""


def test_second_lock_fails_at_once_naming_the_holder(settings: Settings) -> None:
    with run_lock(settings, "run"), pytest.raises(LockHeld) as raised, run_lock(settings, "build"):
        pass  # pragma: no cover - must not be reached
    message = str(raised.value)
    assert f"pid {os.getpid()} on {socket.gethostname()}" in message
    assert "`tradewatch run`" in message
    assert raised.value.exit_code == 3


def test_lock_is_free_again_after_the_block(settings: Settings) -> None:
    with run_lock(settings, "run") as stale:
        assert stale is None
    with run_lock(settings, "run") as stale:
        assert stale is None  # a clean finish leaves no note behind
    assert lock_path(settings).read_text() == ""


def test_lock_is_released_when_the_block_raises(settings: Settings) -> None:
    with pytest.raises(RuntimeError), run_lock(settings, "run"):
        raise RuntimeError("boom")
    with run_lock(settings, "run"):
        pass


def test_a_crashed_run_leaves_a_stale_note_that_the_next_run_takes_over(
    settings: Settings,
) -> None:
    note = {
        "pid": 999_999_999,
        "host": "old-host",
        "started_at": "2026-01-01T00:00:00Z",
        "command": "run",
    }
    lock_path(settings).parent.mkdir(parents=True)
    lock_path(settings).write_text(json.dumps(note))  # written, but no process holds it

    with run_lock(settings, "run") as stale:
        assert stale is not None
        assert (stale.pid, stale.host) == (999_999_999, "old-host")
        holder = json.loads(lock_path(settings).read_text())
        assert holder["pid"] == os.getpid()


def test_another_process_holding_the_lock_blocks_this_one(settings: Settings) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdin is not None
        assert holder.stdout.readline().strip() == "holding"
        assert current_holder(settings) is not None
        assert current_holder(settings).pid == holder.pid  # type: ignore[union-attr]
        with pytest.raises(LockHeld, match=f"pid {holder.pid} "), run_lock(settings, "run"):
            pass  # pragma: no cover
        holder.stdin.write("release\n")
        holder.stdin.flush()
        assert holder.wait(timeout=30) == 0
    finally:
        holder.kill()
    assert current_holder(settings) is None
    with run_lock(settings, "run"):
        pass


def test_current_holder_ignores_a_dead_process_on_this_host(settings: Settings) -> None:
    lock_path(settings).parent.mkdir(parents=True)
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    note = {
        "pid": int(dead.stdout),
        "host": socket.gethostname(),
        "started_at": "2026-01-01T00:00:00Z",
        "command": "run",
    }
    lock_path(settings).write_text(json.dumps(note))
    assert current_holder(settings) is None
