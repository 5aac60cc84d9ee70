"""Byte-exact archive of every payload, before anything can fail, with a JSON sidecar."""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from ingest.http import redact

COPY_BLOCK_BYTES = 1024 * 1024
PARTIAL_PID = re.compile(r"^\.(\d+)-")  # `.<pid>-<name>.partial`


@dataclass(frozen=True)
class Archived:
    source: str
    dataset: str
    origin: str  # redacted URL or file name
    path: Path
    sha256: str
    bytes: int
    fetched_at: str

    @property
    def sidecar_path(self) -> Path:
        return self.path.with_name(self.path.name + ".json")


def archive(
    payload: bytes, *, source: str, dataset: str, origin: str, landing_dir: Path
) -> Archived:
    """Write the payload once per content (the name carries its hash) and its sidecar."""
    sha256 = hashlib.sha256(payload).hexdigest()
    folder = landing_dir / source / dataset
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{sha256[:16]}-{_safe_name(origin)}"
    if not path.exists() or path.stat().st_size != len(payload):
        _write_atomically(path, payload)
    archived = Archived(
        source=source,
        dataset=dataset,
        origin=redact(origin) if "://" in origin else origin,
        path=path,
        sha256=sha256,
        bytes=len(payload),
        fetched_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    write_sidecar(archived, vintage=None)
    return archived


def archive_file(
    source_path: Path, *, source: str, dataset: str, origin: str, landing_dir: Path
) -> Archived:
    """The same archive for a file on disk, copied and hashed in one streaming pass, so a
    release of several gigabytes never sits in memory."""
    folder = landing_dir / source / dataset
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f".{os.getpid()}-{_safe_name(origin)}.partial"
    digest = hashlib.sha256()
    size = 0
    try:
        with open(source_path, "rb") as reader, open(partial, "wb") as writer:
            while block := reader.read(COPY_BLOCK_BYTES):
                digest.update(block)
                writer.write(block)
                size += len(block)
            writer.flush()
            os.fsync(writer.fileno())
        sha256 = digest.hexdigest()
        path = folder / f"{sha256[:16]}-{_safe_name(origin)}"
        if path.exists() and path.stat().st_size == size:
            partial.unlink()
        else:
            os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    archived = Archived(
        source=source,
        dataset=dataset,
        origin=redact(origin) if "://" in origin else origin,
        path=path,
        sha256=sha256,
        bytes=size,
        fetched_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    write_sidecar(archived, vintage=None)
    return archived


def write_sidecar(archived: Archived, *, vintage: str | None) -> None:
    record = asdict(archived) | {"path": archived.path.name, "vintage": vintage}
    _write_atomically(archived.sidecar_path, json.dumps(record, indent=2).encode())


def _safe_name(origin: str) -> str:
    name = origin.split("?")[0].rstrip("/").rsplit("/", 1)[-1] or "payload"
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name)[:80]


def remove_leftovers(folder: Path) -> list[Path]:
    """`*.partial` files of a process that died mid-write (`kill -9`, power loss): a name
    carries its writer's pid, and only a file whose writer is gone is removed, so a
    concurrent ingest keeps its own."""
    removed = []
    for partial in folder.rglob("*.partial") if folder.is_dir() else ():
        pid = PARTIAL_PID.search(partial.name)
        if pid is not None and _alive(int(pid.group(1))):
            continue
        partial.unlink(missing_ok=True)
        removed.append(partial)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    return True


def _write_atomically(path: Path, content: bytes) -> None:
    partial = path.with_name(f".{os.getpid()}-{path.name}.partial")
    try:
        with open(partial, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, path)
    except OSError:
        partial.unlink(missing_ok=True)  # a full disk must not leave half a payload behind
        raise
