"""The published copy: what BI tools, notebooks and `tradewatch query` read.

A successful build copies the live warehouse into `published/tradewatch.duckdb`, writes one
Parquet file per mart and a `manifest.json`, then swaps each into place atomically. Readers
that hold the old copy open keep reading it (they hold the old inode); the next connection
sees the new one. The build never opens the published copy, so readers never block it.

    published/
      tradewatch.duckdb      replaced with os.replace
      manifest.json          replaced with os.replace
      parquet -> .builds/<build_id>     a symlink, replaced with os.replace
      .builds/<build_id>/    <mart>.parquet … and the same manifest.json
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import duckdb

from ingest import descriptions, ledger, warehouse
from ingest.errors import TradewatchError, cannot_write
from ingest.settings import Settings, dbt_work_dir
from ingest.transform import DbtOutcome, project_fingerprint

log = logging.getLogger(__name__)

MANIFEST_NAME = "manifest.json"
PARQUET_LINK = "parquet"
BUILDS_DIR = ".builds"
KEEP_BUILDS = 2  # the current parquet set and the one before, for readers still on it
MART_SCHEMA = "marts"
LIVE = "live_warehouse"
NEXT = "next_copy"


class PublishFailed(TradewatchError):
    """The published copy could not be written; the previous one is still in place."""


class PublishRefused(TradewatchError):
    """The live warehouse is not in a state worth publishing (its last dbt build failed)."""


@dataclass(frozen=True)
class Publication:
    build_id: str
    built_at: datetime
    database: Path
    parquet_dir: Path
    manifest_path: Path
    manifest: dict[str, Any]


def published_database(settings: Settings) -> Path:
    return settings.published_dir / settings.db_path.name


def read_manifest(settings: Settings) -> dict[str, Any] | None:
    path = settings.published_dir / MANIFEST_NAME
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def publish(
    settings: Settings,
    *,
    dbt: DbtOutcome | None = None,
    force: bool = False,
    storage_version: str | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Publication:
    """Copy the live warehouse to the published folder and swap it in. Call it only after a
    successful build (the CLI does); `force` publishes even if the last dbt build failed."""
    live = settings.db_path
    if not live.exists():
        raise PublishFailed(f"{live}: no warehouse yet; run `tradewatch build`")
    dbt_summary = _dbt_summary(settings, dbt)
    if not force and dbt_summary and dbt_summary.get("failed"):
        raise PublishRefused(
            f"the last dbt build had {dbt_summary['failed']} failed node(s); fix it and run "
            "`tradewatch build` (or `tradewatch publish --force`)"
        )
    built_at = clock().astimezone(UTC).replace(microsecond=0)
    build_id = f"{built_at:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"
    out = settings.published_dir
    out.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(out)
    next_db = out / f".{live.name}.{build_id}.next"
    build_dir = out / BUILDS_DIR / build_id
    version = storage_version or settings.publish_storage_version
    try:
        facts = _write_copy(live, next_db, build_dir, build_id, built_at, version)
        manifest = _manifest(build_id, built_at, live.name, facts, dbt_summary, version)
        text = json.dumps(manifest, indent=2, sort_keys=False, default=str) + "\n"
        (build_dir / MANIFEST_NAME).write_text(text, encoding="utf-8")
        next_manifest = out / f".{MANIFEST_NAME}.{build_id}.next"
        next_manifest.write_text(text, encoding="utf-8")
    except BaseException:
        next_db.unlink(missing_ok=True)
        shutil.rmtree(build_dir, ignore_errors=True)
        raise
    _swap(out, live.name, next_db, next_manifest, build_id)
    _prune_builds(out, keep=KEEP_BUILDS)
    log.info("published build %s to %s", build_id, out)
    return Publication(
        build_id=build_id,
        built_at=built_at,
        database=out / live.name,
        parquet_dir=out / PARQUET_LINK,
        manifest_path=out / MANIFEST_NAME,
        manifest=manifest,
    )


@dataclass(frozen=True)
class _CopyFacts:
    row_counts: dict[str, int]
    parquet_files: dict[str, str]
    sources: dict[str, Any]
    expectations: dict[str, Any]
    storage_version: str | None


def _write_copy(
    live: Path,
    next_db: Path,
    build_dir: Path,
    build_id: str,
    built_at: datetime,
    storage_version: str | None,
) -> _CopyFacts:
    """An in-memory DuckDB reads the live file (read-only) and writes the next copy."""
    build_dir.mkdir(parents=True)
    options = f" (storage_version {_literal(storage_version)})" if storage_version else ""
    with duckdb.connect() as con:
        try:
            con.execute(f"attach {_literal(live)} as {LIVE} (read_only)")
        except duckdb.IOException as error:
            if "lock" in str(error).lower():
                raise warehouse.held_by_another_process(live, error) from None
            raise
        shown = f" with storage version {storage_version}" if storage_version else ""
        try:
            con.execute(f"attach {_literal(next_db)} as {NEXT}{options}")
            con.execute(f"copy from database {LIVE} to {NEXT}")
            # descriptions (dbt persist_docs) travel with the copy; any that did not are added
            descriptions.copy_missing_comments(con, LIVE, NEXT)
        except duckdb.Error as error:
            first_line = str(error).splitlines()[0][:300]
            message = f"copying {live.name} to {next_db}{shown} failed: {first_line}"
            raise cannot_write(error) or PublishFailed(message) from None
        con.execute(f"detach {LIVE}")
        # the copy names its own build, so a reader can tell which one it holds
        ledger.record_publication(con, NEXT, build_id, built_at, socket.gethostname())
        tables = _base_tables(con) + _mart_views(con)
        row_counts = {name: _count(con, name) for name in tables}
        parquet_files = _export_marts(con, tables, build_dir)
        sources = _source_vintages(con) if ledger.LOADS in tables else {}
        expectations = _expectation_counts(con) if ledger.LOADS in tables else {}
        version_tag = con.execute(
            "select tags['storage_version'] from duckdb_databases() where database_name = ?",
            [NEXT],
        ).fetchall()
        con.execute(f"detach {NEXT}")  # checkpoints: no .wal is left beside the copy
    return _CopyFacts(
        row_counts=row_counts,
        parquet_files=parquet_files,
        sources=sources,
        expectations=expectations,
        storage_version=version_tag[0][0] if version_tag else None,
    )


def _base_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "select schema_name, table_name from duckdb_tables() "
        "where database_name = ? order by schema_name, table_name",
        [NEXT],
    ).fetchall()
    return [f"{schema}.{table}" for schema, table in rows]


def _mart_views(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Marts that dbt made views (e.g. a newest-edition view) are marts too."""
    rows = con.execute(
        "select view_name from duckdb_views() where database_name = ? and schema_name = ? "
        "and not internal order by view_name",
        [NEXT, MART_SCHEMA],
    ).fetchall()
    return [f"{MART_SCHEMA}.{name}" for (name,) in rows]


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    rows = con.execute(f"select count(*) from {NEXT}.{_qualified(table)}").fetchall()
    return int(rows[0][0])


def _export_marts(
    con: duckdb.DuckDBPyConnection, tables: list[str], build_dir: Path
) -> dict[str, str]:
    files: dict[str, str] = {}
    for table in tables:
        schema, name = table.split(".", 1)
        if schema != MART_SCHEMA:
            continue
        target = build_dir / f"{name}.parquet"
        metadata = descriptions.parquet_metadata(con, NEXT, schema, name)
        con.execute(
            f"copy (select * from {NEXT}.{_qualified(table)}) to {_literal(target)} "
            f"(format parquet, compression zstd, {metadata})"
        )
        files[table] = f"{PARQUET_LINK}/{target.name}"
    return files


def _source_vintages(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Vintages per source and dataset; a load that holds several (the loader joins them
    with commas, e.g. "MCS2023,MCS2024,MCS2025") counts for each."""
    sources: dict[str, Any] = {}
    for source, dataset, vintage, loaded_at in ledger.loaded_vintages(con, NEXT):
        entry = sources.setdefault(source, {"vintages": [], "datasets": {}, "last_loaded_at": None})
        named = [part.strip() for part in (vintage or "").split(",") if part.strip()]
        dataset_vintages = entry["datasets"].setdefault(dataset, [])
        for value in named:
            if value not in entry["vintages"]:
                entry["vintages"].append(value)
            if value not in dataset_vintages:
                dataset_vintages.append(value)
        stamp = _utc(loaded_at)
        entry["last_loaded_at"] = max(filter(None, [entry["last_loaded_at"], stamp]))
    for entry in sources.values():
        entry["vintages"].sort()
        for values in entry["datasets"].values():
            values.sort()
        entry["latest_vintage"] = entry["vintages"][-1] if entry["vintages"] else None
    return sources


def _expectation_counts(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Suites run on the loads the warehouse holds now (the latest ok load per key)."""
    by_source = {
        source: {"passed": int(passed), "failed": int(failed), "loads": int(loads)}
        for source, passed, failed, loads in ledger.expectation_counts(con, NEXT)
    }
    return {
        "passed": sum(item["passed"] for item in by_source.values()),
        "failed": sum(item["failed"] for item in by_source.values()),
        "by_source": by_source,
    }


def _dbt_summary(settings: Settings, outcome: DbtOutcome | None) -> dict[str, Any] | None:
    """Counts from the last `dbt build`'s run_results.json, or from the outcome passed in."""
    path = dbt_work_dir(settings) / "target" / "run_results.json"
    if path.exists():
        results = json.loads(path.read_text(encoding="utf-8"))
        if (results.get("args") or {}).get("which") == "build":
            return _summarise_run_results(results)
    if outcome is not None:
        return {"command": "build", "passed": outcome.passed, "failed": outcome.failed}
    return None


def _summarise_run_results(results: dict[str, Any]) -> dict[str, Any]:
    by_status: dict[str, int] = {}
    by_type: dict[str, dict[str, int]] = {}
    for item in results.get("results", []):
        status = str(item.get("status"))
        kind = str(item.get("unique_id", "")).split(".", 1)[0]
        by_status[status] = by_status.get(status, 0) + 1
        counts = by_type.setdefault(kind, {})
        counts[status] = counts.get(status, 0) + 1
    failed = sum(by_status.get(status, 0) for status in ("error", "fail", "runtime error"))
    return {
        "command": "build",
        "generated_at": (results.get("metadata") or {}).get("generated_at"),
        "dbt_version": (results.get("metadata") or {}).get("dbt_version"),
        "passed": sum(by_status.values()) - failed,
        "failed": failed,
        "by_status": dict(sorted(by_status.items())),
        "by_resource_type": dict(sorted(by_type.items())),
        # unit tests are left out once the same dbt project passed a build (transform.py)
        "excluded_resource_types": sorted(
            (results.get("args") or {}).get("exclude_resource_types") or []
        ),
    }


def _manifest(
    build_id: str,
    built_at: datetime,
    db_name: str,
    facts: _CopyFacts,
    dbt_summary: dict[str, Any] | None,
    requested_storage_version: str | None,
) -> dict[str, Any]:
    return {
        "build_id": build_id,
        "built_at": _utc(built_at),
        "database": db_name,
        "parquet_dir": PARQUET_LINK,
        "tradewatch_version": metadata.version("tradewatch"),
        "duckdb_version": duckdb.__version__,
        "storage_version": facts.storage_version,
        "requested_storage_version": requested_storage_version,
        "sources": facts.sources,
        "tables": {
            table: {
                "rows": rows,
                **({"parquet": facts.parquet_files[table]} if table in facts.parquet_files else {}),
            }
            for table, rows in facts.row_counts.items()
        },
        "dbt": dbt_summary,
        "dbt_project_sha256": project_fingerprint(),
        "expectations": facts.expectations,
    }


def _swap(out: Path, db_name: str, next_db: Path, next_manifest: Path, build_id: str) -> None:
    """Three atomic renames; the database first, the manifest that describes it last."""
    os.replace(next_db, out / db_name)
    link = out / PARQUET_LINK
    if link.exists() and not link.is_symlink():  # a plain folder from an older layout
        shutil.rmtree(link)
    next_link = out / f".{PARQUET_LINK}.{build_id}.next"
    next_link.unlink(missing_ok=True)
    os.symlink(Path(BUILDS_DIR) / build_id, next_link, target_is_directory=True)
    os.replace(next_link, link)
    os.replace(next_manifest, out / MANIFEST_NAME)
    _fsync_dir(out)


def _prune_builds(out: Path, *, keep: int) -> None:
    builds = sorted((out / BUILDS_DIR).iterdir(), key=lambda path: path.name)
    current = (out / PARQUET_LINK).resolve().name
    for old in builds[:-keep]:
        if old.name != current:
            shutil.rmtree(old, ignore_errors=True)


def remove_leftovers(settings: Settings) -> None:
    """What a killed publish left (`build` and `run` call this under the run lock, so no
    publish is running): `.next` copies and their `.wal`, and build folders no manifest
    names."""
    if settings.published_dir.is_dir():
        _remove_leftovers(settings.published_dir)


def _remove_leftovers(out: Path) -> None:
    """`.next` files of a publish that died halfway (the run lock rules out a live one)."""
    for leftover in out.glob(".*.next"):
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)
    for wal in out.glob(".*.next.wal"):
        wal.unlink(missing_ok=True)
    builds = out / BUILDS_DIR
    if builds.is_dir():  # a build folder is complete once its manifest is written
        link = out / PARQUET_LINK
        current = link.resolve().name if link.is_symlink() else None
        manifests = {path.parent.name for path in builds.glob(f"*/{MANIFEST_NAME}")}
        for build in builds.iterdir():
            if build.name != current and build.name not in manifests:
                shutil.rmtree(build, ignore_errors=True)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _literal(value: object) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _qualified(table: str) -> str:
    return ".".join('"' + part.replace('"', '""') + '"' for part in table.split(".", 1))


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
