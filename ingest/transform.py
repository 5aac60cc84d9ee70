"""dbt, run in-process against the warehouse named by the settings."""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from ingest import lake, ledger, warehouse
from ingest.errors import TradewatchError, cannot_write
from ingest.settings import DBT_PROJECT_DIR, Settings, dbt_work_dir
from ingest.sources import SOURCES

log = logging.getLogger(__name__)


class TransformFailed(TradewatchError):
    """dbt build failed: a model error (a bug) or a data test (a data-quality failure)."""


@dataclass(frozen=True)
class DbtOutcome:
    success: bool
    passed: int
    failed: int
    failures: tuple[str, ...]


def dbt_environment(settings: Settings) -> None:
    # dbt reads the warehouse path (or the lake) from the profile's env_vars; tracking stays off
    os.environ["TRADEWATCH_DB"] = str(settings.db_path)
    if settings.lake is not None:
        _lake_environment(settings.lake)
    os.environ["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    os.environ["DO_NOT_TRACK"] = "1"


@contextmanager
def _beside_the_warehouse(settings: Settings) -> Iterator[None]:
    """dbt runs from the warehouse's folder with the file's bare name as its path. dbt
    re-parses the whole project (~3 s) when the profile's connection differs from the one it
    last parsed with, and an absolute path would make a copied or moved warehouse differ."""
    if settings.lake is not None:  # the lake's profile names no file
        yield
        return
    previous_dir, previous_db = Path.cwd(), os.environ["TRADEWATCH_DB"]
    os.chdir(settings.db_path.parent)
    os.environ["TRADEWATCH_DB"] = settings.db_path.name
    try:
        yield
    finally:
        os.chdir(previous_dir)
        os.environ["TRADEWATCH_DB"] = previous_db


def run_dbt(settings: Settings, *args: str, target: str = "target") -> DbtOutcome:
    """`target` names the artifacts folder: docs and freshness use their own, so the
    build's run_results.json (read by publish) stays the build's."""
    dbt_environment(settings)
    # deferred: importing dbt takes seconds (5 s measured, -X importtime), only dbt runs need it
    from dbt.cli.main import dbtRunner

    work_dir = dbt_work_dir(settings)
    options: dict[str, object] = {
        "--project-dir": DBT_PROJECT_DIR,
        "--profiles-dir": DBT_PROJECT_DIR,
        "--target-path": work_dir / target,
        "--log-path": work_dir / "logs",
    }
    if settings.lake is not None:
        options["--target"] = "lake"
    flags = [part for option, value in options.items() for part in (option, str(value))]
    # a log file dbt cannot write (a full disk) would print a "--- Logging error ---"
    # traceback for every record, tens of thousands of lines: its failure is the message
    raising, logging.raiseExceptions = logging.raiseExceptions, False
    try:
        with _beside_the_warehouse(settings):
            result = dbtRunner().invoke([*args, *flags, "--quiet"])
    finally:
        logging.raiseExceptions = raising
    _close_dbt_connections()
    return _outcome(result, settings)


def _lake_environment(target: lake.LakeTarget) -> None:
    """The profile's `lake` output attaches the catalog; its extensions are installed here
    from the wheels, so dbt never downloads one (autoinstall is off in the profile)."""
    os.environ["TRADEWATCH_LAKE_CATALOG"] = target.catalog
    os.environ["TRADEWATCH_LAKE_DATA_PATH"] = target.data_path
    with duckdb.connect() as con:
        lake.install_extensions(con, target)


PROJECT_FILES = (
    "dbt_project.yml",
    "profiles.yml",
    "models",
    "macros",
    "seeds",
    "snapshots",
    "tests",
)


def project_fingerprint() -> str:
    """SHA-256 over every file dbt reads: a changed model, test or var changes it."""
    digest = hashlib.sha256()
    for name in PROJECT_FILES:
        root = DBT_PROJECT_DIR / name
        for path in sorted([root] if root.is_file() else root.rglob("*")):
            if path.is_file():
                digest.update(str(path.relative_to(DBT_PROJECT_DIR)).encode() + b"\0")
                digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def ensure_raw_tables(settings: Settings) -> list[str]:
    """Every registered raw table exists (empty until loaded), so `dbt build` works on a
    warehouse where some sources, e.g. live-only ones, were never loaded. Called before
    dbt runs, never by a load, so a failed load still leaves no raw table behind."""
    tables = [table for source in SOURCES.values() for table in source.tables]
    schemas = {table.name: table.schema for table in tables}
    partitions = {table.name: table.partition_by for table in tables}
    ledger.create(settings.db_path)  # dbt's stg_ops__loads reads the ledger too
    return warehouse.ensure_raw_tables(settings.db_path, schemas, partitions)


def build_models(settings: Settings) -> DbtOutcome:
    """dbt build (models, snapshots, seeds and tests), recorded in the ledger."""
    ensure_raw_tables(settings)  # a source never loaded (live-only) builds empty marts
    started_at = datetime.now(UTC)
    fingerprint = project_fingerprint()
    outcome = run_dbt(settings, "build", *unit_test_flags(settings, fingerprint))
    ledger.record_dbt_run(
        settings.db_path,
        started_at=started_at,
        success=outcome.success,
        passed=outcome.passed,
        failed=outcome.failed,
        project_sha256=fingerprint,
    )
    if not outcome.success:
        shown = "; ".join(outcome.failures[:5])
        failure = TransformFailed(f"dbt build: {outcome.failed} node(s) failed: {shown}")
        # a full disk under dbt is not a data-quality failure: exit 74, not 1
        raise cannot_write(failure) or failure
    for relation in drop_retired_relations(settings):
        log.info("dropped %s: the dbt project no longer builds it", relation)
    return outcome


BUILT_BY_DBT = ("model", "seed", "snapshot")


def drop_retired_relations(settings: Settings) -> list[str]:
    """dbt never drops what a removed model, seed or snapshot built: its last table or view
    would stay in the warehouse, and in the published copy, looking current. After a
    successful build, any table or view in a schema dbt builds into that the manifest does
    not name is dropped (the `raw_*` and `ops` schemas are ingest's, never touched)."""
    manifest_path = dbt_work_dir(settings) / "target" / "manifest.json"
    if not manifest_path.exists():  # without dbt's own list of what it built, drop nothing
        return []
    nodes = [
        node
        for node in json.loads(manifest_path.read_text(encoding="utf-8"))["nodes"].values()
        if node["resource_type"] in BUILT_BY_DBT
    ]
    schemas = {node["schema"] for node in nodes}
    built = {(node["schema"], node.get("alias") or node["name"]) for node in nodes}
    with warehouse.connect(settings.db_path) as con:
        found = con.execute(
            "select schema_name, table_name, 'table' from duckdb_tables() "
            "where not temporary and database_name = current_database() "
            "union all select schema_name, view_name, 'view' from duckdb_views() "
            "where not internal and not temporary and database_name = current_database()"
        ).fetchall()
        retired = [row for row in found if row[0] in schemas and row[:2] not in built]
        for schema, name, kind in retired:
            con.execute(f'drop {kind} "{schema}"."{name}"')
    return [f"{schema}.{name}" for schema, name, _ in retired]


def unit_test_flags(settings: Settings, fingerprint: str) -> tuple[str, ...]:
    """Unit tests check the project's SQL on fixed inputs, not the data: they run in the
    first build of each version of the dbt project and are left out of later builds of the
    same version (a build that failed does not count), as dbt Labs advises for production
    builds. `dbt test --select test_type:unit` runs them at any time."""
    if ledger.project_passed_a_build(settings.db_path, fingerprint):
        return ("--exclude-resource-type", "unit_test")
    return ()


def _outcome(result: object, settings: Settings | None = None) -> DbtOutcome:
    node_results = list(getattr(getattr(result, "result", None), "results", None) or [])
    failures = tuple(
        f"{item.node.name}: {' '.join(str(item.message).split())[:300]}"
        f"{_stored_failures(item, settings)}"
        for item in node_results
        if str(item.status) in {"error", "fail", "runtime error"}
    )
    success = bool(getattr(result, "success", False))
    exception = getattr(result, "exception", None)
    if not success and not failures and exception:
        failures = (str(exception),)
    return DbtOutcome(success, len(node_results) - len(failures), len(failures), failures)


def _stored_failures(item: Any, settings: Settings | None, limit: int = 3) -> str:
    """The first rows a failing test stored (`store_failures`), so the message says what
    failed (e.g. the month and the difference), not only how many rows."""
    relation = getattr(item.node, "relation_name", None)
    if settings is None or not relation or str(item.status) != "fail":
        return ""
    try:
        with warehouse.connect(settings.db_path, read_only=True) as con:
            cursor = con.execute(f"select * from {relation} limit {limit}")
            names = [column[0] for column in cursor.description]
            rows = cursor.fetchall()
    except (duckdb.Error, TradewatchError):
        return ""
    shown = " | ".join(
        ", ".join(f"{name}={value}" for name, value in zip(names, row, strict=True)) for row in rows
    )
    return f"; failing rows: {shown}" if shown else ""


def _close_dbt_connections() -> None:
    """The profile keeps dbt's one DuckDB connection open for the whole build (opening the
    file for each of ~500 nodes cost ~15 % of a build); closed here so the file lock and
    memory go with the run, not whenever the garbage collector gets to it."""
    try:
        # deferred like dbtRunner: dbt is imported only when it runs
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager

        environment = DuckDBConnectionManager.env()
    except Exception:  # no such adapter API, or dbt never connected (it failed parsing)
        return
    environment.close()
    DuckDBConnectionManager.close_all_connections()
