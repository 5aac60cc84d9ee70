"""One writer at a time: the run lock that `tradewatch run`, `build` and `publish` take.

An advisory `flock` on `<warehouse>/tradewatch.lock`, taken without waiting: a second run
fails at once with LockHeld (exit 3) and names the holder (pid, host, start time, command)
from the JSON the holder wrote into the file. The kernel drops the lock when the holder
dies, so a crashed run leaves no lock behind; its note stays in the file and the next run
reports it as stale and takes over.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from ingest.errors import LockHeld
from ingest.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Holder:
    pid: int
    host: str
    started_at: str
    command: str

    def describe(self) -> str:
        return (
            f"pid {self.pid} on {self.host}, "
            f"running `tradewatch {self.command}` since {self.started_at}"
        )


def lock_path(settings: Settings) -> Path:
    return settings.db_path.with_suffix(".lock")


@contextmanager
def run_lock(settings: Settings, command: str) -> Iterator[Holder | None]:
    """Hold the run lock for the block; yields the stale holder a crashed run left, if any."""
    path = lock_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            shown = holder.describe() if holder else "a process that has not written its name yet"
            raise LockHeld(f"{path}: another tradewatch run holds the lock: {shown}") from None
        stale = _read_holder(fd)
        if stale is not None:
            log.warning(
                "%s: taking over from a run that did not finish: %s", path, stale.describe()
            )
        me = Holder(
            pid=os.getpid(),
            host=socket.gethostname(),
            started_at=datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
            command=command,
        )
        _write(fd, json.dumps(asdict(me)) + "\n")
        try:
            yield stale
        finally:
            _write(fd, "")  # a clean finish leaves an empty file: nothing stale to report
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def current_holder(settings: Settings) -> Holder | None:
    """The run named in the lock file if it still runs on this host. Reads the note only:
    taking the lock, even briefly, could make a scheduled run starting then exit 3."""
    path = lock_path(settings)
    if not path.exists():
        return None
    fd = os.open(path, os.O_RDONLY)
    try:
        holder = _read_holder(fd)
    finally:
        os.close(fd)
    if holder is None or holder.host != socket.gethostname():
        return holder  # another host's run cannot be checked from here
    return holder if _alive(holder.pid) else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return pid > 0


def _read_holder(fd: int) -> Holder | None:
    os.lseek(fd, 0, os.SEEK_SET)
    text = os.read(fd, 4096).decode("utf-8", errors="replace").strip()
    if not text:
        return None
    try:
        data = json.loads(text)
        return Holder(
            int(data["pid"]), str(data["host"]), str(data["started_at"]), str(data["command"])
        )
    except (ValueError, KeyError, TypeError):
        return Holder(0, "?", "?", f"(unreadable lock note {text[:80]!r})")


def _write(fd: int, text: str) -> None:
    os.ftruncate(fd, 0)
    os.lseek(fd, 0, os.SEEK_SET)
    os.write(fd, text.encode("utf-8"))
    os.fsync(fd)
