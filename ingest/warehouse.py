"""The DuckDB warehouse: connections (the file or the lake), raw tables and the transaction.

Table names come from module constants in the sources, never from user input; values are
always bound parameters. The `ops` ledger's tables are `ingest.ledger`'s: a writer passes
their DDL as `ddl`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from ingest import lake
from ingest.errors import LockHeld, TradewatchError

if TYPE_CHECKING:
    import polars as pl


def exists(db_path: Path) -> bool:
    """Is there a warehouse to read? (The lake target: its catalog is the warehouse.)"""
    return lake.configured() is not None or db_path.exists()


@contextmanager
def connect(
    db_path: Path, *, read_only: bool = False, ddl: str | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """The warehouse: the DuckDB file at `db_path`, or the lake when the target is `lake`
    (the only place that chooses; the file's folder still holds landing, logs and dbt).
    A writable connection first runs `ddl` (idempotent: the ledger's tables)."""
    target = lake.configured()
    if target is not None:
        lake_ddl = lake.lake_ddl(ddl) if ddl else None
        with lake.connect(target, read_only=read_only, ops_ddl=lake_ddl) as con:
            yield con
        return
    held = _SESSIONS.get(db_path.resolve())
    cursor = held.cursor(db_path, read_only) if held is not None else None
    con = cursor or _open(db_path, read_only)
    try:
        if ddl and not read_only and (held is None or held.first_time(ddl)):
            con.execute(ddl)
        yield con
    finally:
        con.close()


def _open(db_path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    if not read_only:
        db_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        return duckdb.connect(str(db_path), read_only=read_only)
    except duckdb.IOException as error:
        if "lock" in str(error).lower():
            raise held_by_another_process(db_path, error) from None
        raise


@dataclass
class _Session:
    """A file's open session (see `session`): its connection, opened by the first request,
    and the DDL already run on it."""

    connection: duckdb.DuckDBPyConnection | None = None
    ddl_run: set[str] = field(default_factory=set)

    def cursor(self, db_path: Path, read_only: bool) -> duckdb.DuckDBPyConnection | None:
        if self.connection is None:
            if read_only and not db_path.exists():
                return None  # as outside a session: reading a missing file is an error
            self.connection = _open(db_path, read_only=False)
        return self.connection.cursor()

    def first_time(self, ddl: str) -> bool:
        """The ledger's DDL is idempotent and autocommitted (`connect` runs it before its
        caller can begin a transaction): once a session is enough."""
        if ddl in self.ddl_run:
            return False
        self.ddl_run.add(ddl)
        return True


_SESSIONS: dict[Path, _Session] = {}


@contextmanager
def session(db_path: Path) -> Iterator[None]:
    """One read-write connection to the file for a block of many short connections (an
    ingest run makes ~140 ledger reads and writes): opening the file costs ~20 ms, a cursor
    of an open connection under 1 ms. Inside, `connect` hands out cursors of it, the
    read-only ones too (DuckDB refuses a second configuration of an open file), and runs a
    writer's DDL once. It opens with the block's first connection, so a block that never
    connects creates no file. The lake has no session: its catalog is a server."""
    key = db_path.resolve()
    if lake.configured() is not None or key in _SESSIONS:
        yield
        return
    _SESSIONS[key] = _Session()
    try:
        yield
    finally:
        held = _SESSIONS.pop(key).connection
        if held is not None:
            held.close()


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


# --- the transaction ---


@contextmanager
def atomic(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Everything in the block commits together, or is rolled back on any exception."""
    con.execute("begin transaction")
    try:
        yield
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


@contextmanager
def transaction(
    db_path: Path,
    *,
    ddl: str | None = None,
    memory_limit: str | None = None,
    bulk: bool = False,
    tables: tuple[str, ...] = (),
) -> Iterator[duckdb.DuckDBPyConnection]:
    """One transaction on its own connection; `bulk` for loads of millions of rows: DuckDB
    may then write rows in any order, in parallel and without holding them back to keep the
    file's order (raw rows have no order an analyst may rely on: every model and query sorts
    explicitly). `tables` are the raw tables it writes: in the lake, one writer each at a
    time."""
    with table_locks(tables), connect(db_path, ddl=ddl) as con:
        if bulk:
            con.execute("set preserve_insertion_order = false")
        if memory_limit is not None:
            con.execute(f"set memory_limit = '{_checked_size(memory_limit)}'")
        try:
            with atomic(con):
                yield con
        finally:  # both are the database's settings: a session's next load starts afresh
            with suppress(duckdb.Error):  # a broken connection: the load's error is the news
                if bulk:
                    con.execute("reset preserve_insertion_order")
                if memory_limit is not None:
                    con.execute("reset memory_limit")


def _checked_size(memory_limit: str) -> str:
    if not re.fullmatch(r"\d+(\.\d+)?\s*[KMGT]i?B", memory_limit.strip(), re.I):
        raise TradewatchError(
            f"TRADEWATCH_DUCKDB_MEMORY_LIMIT: {memory_limit!r} is not a size such as 512MB or 2GB"
        )
    return memory_limit.strip()


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


# --- raw tables ---

# keyed by the polars type's name: `tradewatch query` reads the ledger without importing polars
DUCKDB_TYPES: dict[str, str] = {
    "String": "varchar",
    "Boolean": "boolean",
    "Int8": "tinyint",
    "Int16": "smallint",
    "Int32": "integer",
    "Int64": "bigint",
    "Float32": "float",
    "Float64": "double",
    "Date": "date",
}


def duckdb_type(dtype: pl.DataType) -> str:
    try:
        return DUCKDB_TYPES[dtype.base_type().__name__]
    except KeyError:
        raise TypeError(f"no DuckDB type declared for polars {dtype}") from None


def ensure_raw_tables(
    db_path: Path,
    schemas: Mapping[str, pl.Schema],
    partitions: Mapping[str, tuple[str, ...]] | None = None,
) -> list[str]:
    """Create every raw table that does not exist yet, empty, with its declared columns plus
    load_id and loaded_at, so dbt can build (empty marts) before a source's first load; in
    the lake, partitioned as declared, so a later load of a large table is partitioned."""
    created: list[str] = []
    with transaction(db_path) as con:
        for raw_table, schema in schemas.items():
            if create_raw_table(con, raw_table, schema, (partitions or {}).get(raw_table, ())):
                created.append(raw_table)
    return created


def create_raw_table(
    con: duckdb.DuckDBPyConnection,
    raw_table: str,
    schema: pl.Schema,
    partition_by: tuple[str, ...] = (),
) -> bool:
    """The raw table as its contract declares it, plus the loader's two columns, unless it
    exists; in the lake, partitioned by `partition_by` from its first row on. True when it
    was created."""
    if _table_exists(con, raw_table):
        return False
    columns = ", ".join(f'"{name}" {duckdb_type(dtype)}' for name, dtype in schema.items())
    con.execute(f"create schema if not exists {raw_table.split('.')[0]}")
    con.execute(
        f"create table if not exists {raw_table} "
        f"({columns}, load_id varchar, loaded_at timestamp with time zone)"
    )
    if lake.configured() is not None:
        lake.partition(con, raw_table, partition_by)
    return True


def _table_exists(con: duckdb.DuckDBPyConnection, raw_table: str) -> bool:
    schema, table = raw_table.split(".", 1)
    rows = con.execute(
        "select count(*) from information_schema.tables "
        "where table_catalog = current_database() and table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchall()  # every row: DuckDB keeps a connection busy with an unfinished result
    return bool(rows and rows[0][0])


def insert_rows(
    con: duckdb.DuckDBPyConnection,
    raw_table: str,
    select_sql: str,
    params: list[object],
    *,
    load_id: str,
    loaded_at: datetime,
) -> int:
    """Rows of a SELECT (DuckDB reading a file, or a registered frame) into the raw table,
    tagged with the load; others see them only when the transaction commits."""
    rows = con.execute(
        f"insert into {raw_table} by name select *, ?::varchar as load_id, "
        f"?::timestamptz as loaded_at from ({select_sql})",
        [load_id, loaded_at, *params],
    ).fetchall()
    return int(rows[0][0]) if rows else 0


def replace_previous(
    con: duckdb.DuckDBPyConnection, raw_table: str, replace_key: tuple[str, ...], load_id: str
) -> None:
    """Delete older rows whose replace-key values this load brings again (all older rows
    when the key is empty: the load is the whole table)."""
    if not replace_key:
        con.execute(f"delete from {raw_table} where load_id is distinct from ?", [load_id])
        return
    columns = ", ".join(f'"{column}"' for column in replace_key)
    matches = " and ".join(
        f'brought."{column}" is not distinct from existing."{column}"' for column in replace_key
    )
    con.execute(
        f"delete from {raw_table} as existing where existing.load_id is distinct from ? "
        f"and exists ("
        f"select 1 from (select distinct {columns} from {raw_table} where load_id = ?) as brought "
        f"where {matches})",
        [load_id, load_id],
    )
