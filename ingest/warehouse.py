"""The DuckDB file: connections, the `ops` ledger and the one-transaction publish.

Table names come from module constants in the sources, never from user input; values are
always bound parameters.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl

from ingest import lake
from ingest.errors import LockHeld, TradewatchError
from ingest.quality import ExpectationOutcome

OPS_DDL = """
create schema if not exists ops;
create table if not exists ops.loads (
    load_id varchar primary key,
    source varchar not null,
    dataset varchar not null,
    raw_tables varchar,
    vintage varchar,
    chunk varchar,
    origin varchar,
    payload_sha256 varchar,
    payload_path varchar,
    payload_bytes bigint,
    row_count bigint,
    started_at timestamptz not null,
    finished_at timestamptz,
    status varchar not null check (status in ('ok', 'skipped', 'failed')),
    error varchar,
    expectations_passed integer,
    expectations_failed integer
);
create table if not exists ops.dbt_runs (
    run_id varchar primary key,
    started_at timestamptz not null,
    finished_at timestamptz not null,
    success boolean not null,
    passed integer,
    failed integer,
    project_sha256 varchar
);
create table if not exists ops.data_quality_results (
    load_id varchar not null,
    raw_table varchar not null,
    expectation_type varchar not null,
    column_name varchar,
    kwargs varchar,
    success boolean not null,
    element_count bigint,
    unexpected_count bigint,
    unexpected_sample varchar,
    observed_value varchar
);
-- what `tradewatch diff` and the alerts compare (ingest/figures.py)
create table if not exists ops.figure_snapshots (
    snapshot_id integer primary key,
    taken_at timestamptz not null,
    releases varchar not null
);
create table if not exists ops.tracked_figures (
    snapshot_id integer not null,
    figure varchar not null,
    period varchar,
    value double,
    unit varchar not null,
    label varchar not null
);
-- notifications sent after `tradewatch run` (ingest/alerts.py)
create table if not exists ops.alerts (
    alert_id integer primary key,
    created_at timestamptz not null,
    snapshot_id integer not null,
    baseline_snapshot_id integer not null,
    title varchar not null,
    body varchar not null,
    figures varchar not null,
    status varchar not null check (status in ('pending', 'sent', 'failed', 'not_configured')),
    attempts integer not null,
    last_attempt_at timestamptz,
    last_error varchar,
    sent_at timestamptz
);
"""


@dataclass(frozen=True)
class LoadRecord:
    load_id: str
    source: str
    dataset: str
    raw_tables: str
    vintage: str | None
    chunk: str | None
    origin: str
    payload_sha256: str | None
    payload_path: str | None
    payload_bytes: int | None
    row_count: int | None
    started_at: datetime
    finished_at: datetime
    status: str
    error: str | None
    expectations_passed: int | None
    expectations_failed: int | None


def exists(db_path: Path) -> bool:
    """Is there a warehouse to read? (The lake target: its catalog is the warehouse.)"""
    return lake.configured() is not None or db_path.exists()


@contextmanager
def connect(db_path: Path, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """The warehouse: the DuckDB file at `db_path`, or the lake when the target is `lake`
    (the only place that chooses; the file's folder still holds landing, logs and dbt)."""
    target = lake.configured()
    if target is not None:
        with lake.connect(target, read_only=read_only, ops_ddl=lake.lake_ddl(OPS_DDL)) as con:
            yield con
        return
    if not read_only:
        db_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(db_path), read_only=read_only)
    except duckdb.IOException as error:
        if "lock" in str(error).lower():
            raise held_by_another_process(db_path, error) from None
        raise
    try:
        if not read_only:
            con.execute(OPS_DDL)
        yield con
    finally:
        con.close()


def held_by_another_process(db_path: Path, error: Exception) -> LockHeld:
    """DuckDB lets one process write a file: usually a notebook, BI tool or script holds the
    live warehouse, which readers should never open. Point them to the published copy."""
    published = db_path.parent / "published" / db_path.name
    detail = " ".join(str(error).split())
    return LockHeld(
        f"{db_path} is in use by another process (a notebook, BI tool or script with the live "
        f"file open?): readers should use the published copy {published} or `tradewatch "
        f"query`; close the other connection and retry. DuckDB: {detail}"
    )


def publish(
    db_path: Path,
    frames: dict[str, tuple[pl.DataFrame, tuple[str, ...]]],
    record: LoadRecord,
    outcomes: list[ExpectationOutcome],
) -> None:
    """Replace and insert every raw table, and record the load, in ONE transaction."""
    with table_locks(tuple(frames)), connect(db_path) as con:
        con.execute("begin transaction")
        try:
            for raw_table, (frame, replace_key) in frames.items():
                _write_table(con, raw_table, frame, replace_key, record)
            _insert_record(con, record, outcomes)
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise


def record_outcome(db_path: Path, record: LoadRecord, outcomes: list[ExpectationOutcome]) -> None:
    """A skipped or failed load: the ledger row (and any quality results) only."""
    with connect(db_path) as con:
        con.execute("begin transaction")
        _insert_record(con, record, outcomes)
        con.execute("commit")


def previous_load(
    db_path: Path, source: str, dataset: str, sha256: str, chunk: str | None = None
) -> tuple[str] | None:
    """(vintage,) of an earlier successful load of the same payload for the same chunk, or
    None. A chunk can be a slice of one file: BACI's rare-earth rows are one load of a
    release, all its products another."""
    if not exists(db_path):
        return None
    with connect(db_path) as con:
        return con.execute(
            "select vintage from ops.loads where source = ? and dataset = ? "
            "and payload_sha256 = ? and status = 'ok' and chunk is not distinct from ? "
            "order by finished_at desc limit 1",
            [source, dataset, sha256, chunk],
        ).fetchone()


def loaded_chunks(db_path: Path, source: str, dataset: str) -> set[str]:
    """Chunks of a dataset whose latest load is ok (for chunked, resumable sources)."""
    if not exists(db_path):
        return set()
    with connect(db_path) as con:
        rows = con.execute(
            "select chunk from ops.loads where source = ? and dataset = ? "
            "and chunk is not null and status = 'ok'",
            [source, dataset],
        ).fetchall()
    return {row[0] for row in rows}


def ensure_raw_tables(
    db_path: Path,
    schemas: Mapping[str, pl.Schema],
    partitions: Mapping[str, tuple[str, ...]] | None = None,
) -> list[str]:
    """Create every raw table that does not exist yet, empty, with its declared columns plus
    load_id and loaded_at, so dbt can build (empty marts) before a source's first load; in
    the lake, partitioned as declared, so a later load of a large table is partitioned."""
    created: list[str] = []
    with connect(db_path) as con:
        existing = {
            f"{schema}.{table}"
            for schema, table in con.execute(
                "select table_schema, table_name from information_schema.tables"
            ).fetchall()
        }
        con.execute("begin transaction")
        try:
            for raw_table, schema in schemas.items():
                if raw_table not in existing:
                    con.register("incoming", pl.DataFrame(schema=schema).to_arrow())
                    try:
                        _create_table(con, raw_table)
                    finally:
                        con.unregister("incoming")
                    if lake.configured() is not None:
                        lake.partition(con, raw_table, (partitions or {}).get(raw_table, ()))
                    created.append(raw_table)
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
    return created


# --- the staged (file-backed) publish: DuckDB reads the file inside the load's transaction ---

DUCKDB_TYPES: dict[type[pl.DataType], str] = {
    pl.String: "varchar",
    pl.Boolean: "boolean",
    pl.Int8: "tinyint",
    pl.Int16: "smallint",
    pl.Int32: "integer",
    pl.Int64: "bigint",
    pl.Float32: "float",
    pl.Float64: "double",
    pl.Date: "date",
}


def duckdb_type(dtype: pl.DataType) -> str:
    try:
        return DUCKDB_TYPES[dtype.base_type()]
    except KeyError:
        raise TypeError(f"no DuckDB type declared for polars {dtype}") from None


def create_raw_table(
    con: duckdb.DuckDBPyConnection,
    raw_table: str,
    schema: pl.Schema,
    partition_by: tuple[str, ...] = (),
) -> None:
    """The raw table as its contract declares it, plus the loader's two columns; in the
    lake, partitioned by `partition_by` from its first row on."""
    columns = ", ".join(f'"{name}" {duckdb_type(dtype)}' for name, dtype in schema.items())
    con.execute(f"create schema if not exists {raw_table.split('.')[0]}")
    is_new = not _table_exists(con, raw_table)
    con.execute(
        f"create table if not exists {raw_table} "
        f"({columns}, load_id varchar, loaded_at timestamp with time zone)"
    )
    if is_new and lake.configured() is not None:
        lake.partition(con, raw_table, partition_by)


def _table_exists(con: duckdb.DuckDBPyConnection, raw_table: str) -> bool:
    schema, table = raw_table.split(".", 1)
    return bool(
        con.execute(
            "select count(*) from information_schema.tables "
            "where table_catalog = current_database() and table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchone()[0]  # type: ignore[index]
    )


@contextmanager
def table_locks(tables: tuple[str, ...]) -> Iterator[None]:
    """The lake's one-writer-per-table lock (exit 3 when another machine holds it after a
    bounded wait); the embedded file needs none: DuckDB's file lock admits one writer."""
    target = lake.configured()
    if target is None:
        yield
        return
    with lake.table_locks(target, tables):
        yield


@contextmanager
def transaction(
    db_path: Path,
    *,
    memory_limit: str | None = None,
    bulk: bool = False,
    tables: tuple[str, ...] = (),
) -> Iterator[duckdb.DuckDBPyConnection]:
    """One transaction; `bulk` for loads of millions of rows: DuckDB may then write rows in
    any order, in parallel and without holding them back to keep the file's order (raw rows
    have no order an analyst may rely on: every model and query sorts explicitly). `tables`
    are the raw tables it writes: in the lake, one writer each at a time."""
    with table_locks(tables), connect(db_path) as con:
        if bulk:
            con.execute("set preserve_insertion_order = false")
        if memory_limit is not None:
            if not re.fullmatch(r"\d+(\.\d+)?\s*[KMGT]i?B", memory_limit.strip(), re.I):
                raise TradewatchError(
                    f"TRADEWATCH_DUCKDB_MEMORY_LIMIT: {memory_limit!r} is not a size such as "
                    "512MB or 2GB"
                )
            con.execute(f"set memory_limit = '{memory_limit.strip()}'")
        con.execute("begin transaction")
        try:
            yield con
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise


def insert_staged(
    con: duckdb.DuckDBPyConnection,
    raw_table: str,
    select_sql: str,
    params: list[object],
    *,
    load_id: str,
    loaded_at: datetime,
) -> int:
    """Rows straight from a SELECT (DuckDB reading a file) into the raw table, tagged with
    the load; others see them only when the transaction commits."""
    row = con.execute(
        f"insert into {raw_table} by name select *, ?::varchar as load_id, "
        f"?::timestamptz as loaded_at from ({select_sql})",
        [load_id, loaded_at, *params],
    ).fetchone()
    return int(row[0]) if row else 0


def replace_previous(
    con: duckdb.DuckDBPyConnection, raw_table: str, replace_key: tuple[str, ...], load_id: str
) -> None:
    """Delete older rows whose replace-key values this load brings again (all older rows
    when the key is empty: the load is the whole table)."""
    if not replace_key:
        con.execute(f"delete from {raw_table} where load_id <> ?", [load_id])
        return
    columns = ", ".join(f'"{column}"' for column in replace_key)
    matches = " and ".join(
        f'brought."{column}" is not distinct from existing."{column}"' for column in replace_key
    )
    con.execute(
        f"delete from {raw_table} as existing where existing.load_id <> ? and exists ("
        f"select 1 from (select distinct {columns} from {raw_table} where load_id = ?) as brought "
        f"where {matches})",
        [load_id, load_id],
    )


def insert_record(
    con: duckdb.DuckDBPyConnection, record: LoadRecord, outcomes: list[ExpectationOutcome]
) -> None:
    _insert_record(con, record, outcomes)


def record_dbt_run(
    db_path: Path,
    *,
    started_at: datetime,
    success: bool,
    passed: int,
    failed: int,
    project_sha256: str,
) -> None:
    """Every `dbt build`, so the no-op check can ask whether a load came after the last one."""
    with connect(db_path) as con:
        con.execute(
            "insert into ops.dbt_runs values (?, ?, now(), ?, ?, ?, ?)",
            [uuid.uuid4().hex, started_at, success, passed, failed, project_sha256],
        )


def dbt_run_covers_every_load(db_path: Path) -> bool:
    """True when the last successful dbt build started after the newest successful load
    (a load with no dbt run since, e.g. `ingest deals` then `publish`, needs a build)."""
    with connect(db_path, read_only=True) as con:
        if not con.execute(
            "select count(*) from duckdb_tables() where schema_name = 'ops' "
            "and table_name = 'dbt_runs'"
        ).fetchone()[0]:
            return False
        row = con.execute(
            "select (select max(started_at) from ops.dbt_runs where success), "
            "(select max(finished_at) from ops.loads where status = 'ok')"
        ).fetchone()
    last_run, newest_load = row if row else (None, None)
    return last_run is not None and (newest_load is None or newest_load <= last_run)


def sources_with_loads(db_path: Path) -> set[str]:
    """Sources with at least one successful load in the ledger."""
    if not exists(db_path):
        return set()
    with connect(db_path) as con:
        rows = con.execute("select distinct source from ops.loads where status = 'ok'").fetchall()
    return {row[0] for row in rows}


def _create_table(con: duckdb.DuckDBPyConnection, raw_table: str) -> None:
    """The columns of the registered `incoming` frame, then the loader's own two."""
    con.execute(f"create schema if not exists {raw_table.split('.')[0]}")
    con.execute(
        f"create table if not exists {raw_table} as select *, "
        "''::varchar as load_id, now() as loaded_at from incoming limit 0"
    )


def _write_table(
    con: duckdb.DuckDBPyConnection,
    raw_table: str,
    frame: pl.DataFrame,
    replace_key: tuple[str, ...],
    record: LoadRecord,
) -> None:
    con.register("incoming", frame.to_arrow())
    try:
        _create_table(con, raw_table)
        if not replace_key:  # a complete list (reference codes): the new load replaces it all
            con.execute(f"delete from {raw_table}")
        else:
            matches = " and ".join(
                f"incoming.{column} is not distinct from existing.{column}"
                for column in replace_key
            )
            con.execute(
                f"delete from {raw_table} as existing "
                f"where exists (select 1 from incoming where {matches})"
            )
        con.execute(
            f"insert into {raw_table} by name select *, ? as load_id, "
            "?::timestamptz as loaded_at from incoming",
            [record.load_id, record.finished_at],
        )
    finally:
        con.unregister("incoming")


def _insert_record(
    con: duckdb.DuckDBPyConnection, record: LoadRecord, outcomes: list[ExpectationOutcome]
) -> None:
    values = list(record.__dict__.values())
    con.execute(f"insert into ops.loads values ({', '.join('?' * len(values))})", values)
    for outcome in outcomes:
        con.execute(
            "insert into ops.data_quality_results values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                record.load_id,
                outcome.raw_table,
                outcome.expectation_type,
                outcome.column_name,
                outcome.kwargs,
                outcome.success,
                outcome.element_count,
                outcome.unexpected_count,
                outcome.unexpected_sample,
                outcome.observed_value,
            ],
        )
