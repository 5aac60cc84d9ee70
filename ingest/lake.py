"""The lake target: the same warehouse in DuckLake (a PostgreSQL catalog, Parquet data files in a
folder or on S3), so several processes on several machines load and read one warehouse.

Selected by `--target lake` or TRADEWATCH_TARGET=lake; `warehouse.connect` is the only caller
that decides between the embedded file and the lake. The DuckDB extensions come from the
`lake` extra's wheels (`make lake-install`), installed from the wheel's file, never downloaded.
"""

from __future__ import annotations

import importlib
import os
import re
import socket
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from ingest.errors import LockHeld, TradewatchError

TARGETS = ("local", "lake")
# the lake is attached under the embedded file's catalog name, so the views dbt writes
# ("tradewatch"."staging"...) read the same in the lake and in the published copy
ALIAS = "tradewatch"
EXTENSIONS = ("ducklake", "postgres")
LOCK_NAMESPACE = 0x7477  # "tw": the first key of every tradewatch advisory lock
ATTACH_ATTEMPTS = 5
INSTALL_HINT = "make lake-install, then run .venv-lake/bin/tradewatch"


class LakeUnavailable(TradewatchError):
    """The lake target was asked for but is not set up: no catalog, or not the lake env."""

    exit_code = 2


class CatalogUnavailable(TradewatchError):
    """The DuckLake catalog (PostgreSQL) or its data path cannot be reached or written."""

    exit_code = 74


@dataclass(frozen=True)
class LakeTarget:
    catalog: str  # a DuckLake catalog: "postgres:dbname=lake host=…", or a .ducklake file
    data_path: str  # a folder or an s3:// URL; only needed the first time the lake is made
    lock_attempts: int = 6
    lock_wait_s: float = 1.0

    @property
    def postgres_dsn(self) -> str | None:
        """The libpq connection string of a PostgreSQL catalog, else None."""
        prefix = "postgres:"
        return self.catalog[len(prefix) :] if self.catalog.startswith(prefix) else None


def from_env(env: Mapping[str, str]) -> LakeTarget | None:
    """The lake named by TRADEWATCH_TARGET=lake and its two settings, or None (embedded)."""
    target = (env.get("TRADEWATCH_TARGET") or "local").strip().lower()
    if target not in TARGETS:
        raise LakeUnavailable(
            f"TRADEWATCH_TARGET={target!r}: unknown target; use one of {', '.join(TARGETS)}"
        )
    if target == "local":
        return None
    catalog = (env.get("TRADEWATCH_LAKE_CATALOG") or "").strip()
    data_path = (env.get("TRADEWATCH_LAKE_DATA_PATH") or "").strip()
    missing = [
        name
        for name, value in (
            ("TRADEWATCH_LAKE_CATALOG", catalog),
            ("TRADEWATCH_LAKE_DATA_PATH", data_path),
        )
        if not value
    ]
    if missing:
        raise LakeUnavailable(
            f"the lake target needs {' and '.join(missing)} (deploy/lake.md), e.g. "
            "TRADEWATCH_LAKE_CATALOG='postgres:dbname=lake host=127.0.0.1 user=tradewatch'"
        )
    return LakeTarget(
        catalog=catalog,
        data_path=data_path,
        lock_attempts=int(env.get("TRADEWATCH_LAKE_LOCK_ATTEMPTS", "6")),
        lock_wait_s=float(env.get("TRADEWATCH_LAKE_LOCK_WAIT_S", "1")),
    )


def configured() -> LakeTarget | None:
    return from_env(os.environ)


def extension_file(name: str) -> Path:
    """The .duckdb_extension inside the `duckdb-extension-<name>` wheel, for this DuckDB."""
    try:
        module = importlib.import_module(f"duckdb_extension_{name}")
    except ImportError:
        raise LakeUnavailable(
            f"the lake target needs the {name} DuckDB extension wheel: {INSTALL_HINT}"
        ) from None
    folder = Path(module.__file__ or "").parent / "extensions" / f"v{duckdb.__version__}"
    found = sorted(folder.rglob("*.duckdb_extension"))
    if not found:
        raise LakeUnavailable(
            f"duckdb-extension-{name} has no build for DuckDB {duckdb.__version__} (the lake "
            f"environment pins the matching DuckDB): {INSTALL_HINT}"
        )
    return found[0]


def install_extensions(con: duckdb.DuckDBPyConnection, target: LakeTarget) -> None:
    """INSTALL from the wheels' files (idempotent), then LOAD; S3 also needs httpfs."""
    names = (*EXTENSIONS, "httpfs") if target.data_path.startswith("s3://") else EXTENSIONS
    for name in names:
        con.execute(f"install {_literal(extension_file(name))}")
        con.execute(f"load {'postgres_scanner' if name == 'postgres' else name}")
    if target.data_path.startswith("s3://"):
        _s3_secret(con)


def attach(
    con: duckdb.DuckDBPyConnection, target: LakeTarget, alias: str, *, read_only: bool
) -> None:
    """ATTACH the lake under `alias` (creating it on first use)."""
    install_extensions(con, target)
    options = [f"data_path {_literal(target.data_path)}"]
    if read_only:
        options.append("read_only")
    statement = f"attach {_literal('ducklake:' + target.catalog)} as {alias} ({', '.join(options)})"
    for attempt in range(ATTACH_ATTEMPTS):
        try:
            con.execute(statement)
            return
        except duckdb.Error as error:
            # writers attaching a new catalog at once race to create its tables; the loser
            # finds them made on the next attempt
            racing = "duplicate key" in str(error) or "already exists" in str(error)
            if not racing or attempt == ATTACH_ATTEMPTS - 1:
                raise CatalogUnavailable(
                    f"cannot attach the lake catalog {_shown(target.catalog)}: {_first_line(error)}"
                ) from None
            time.sleep(0.2 * (attempt + 1))


@contextmanager
def connect(
    target: LakeTarget, *, read_only: bool = False, ops_ddl: str | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A DuckDB connection whose default catalog is the lake; `ops_ddl` is created (once,
    safe against a concurrent writer doing the same) unless read-only."""
    con = duckdb.connect(config={"autoinstall_known_extensions": False})
    try:
        attach(con, target, ALIAS, read_only=read_only)
        con.execute(f"use {ALIAS}")
        if ops_ddl and not read_only:
            ensure_ddl(con, ops_ddl)
        yield con
    finally:
        con.close()


def ensure_ddl(con: duckdb.DuckDBPyConnection, ddl: str, attempts: int = 5) -> None:
    """Idempotent DDL: a concurrent writer creating the same schema makes the commit
    conflict; the retry then finds the objects there."""
    for attempt in range(attempts):
        try:
            con.execute("begin transaction")
            con.execute(ddl)
            con.execute("commit")
            return
        except duckdb.TransactionException:
            _rollback(con)
            if attempt == attempts - 1:
                raise
            time.sleep(0.2 * (attempt + 1))


def lake_ddl(ddl: str) -> str:
    """DuckLake declares NOT NULL only: primary keys and CHECKs are dropped."""
    ddl = re.sub(r"\s+primary key", "", ddl, flags=re.I)
    return re.sub(r"\s+check\s*\((?:[^()]|\([^()]*\))*\)", "", ddl, flags=re.I)


def partition(con: duckdb.DuckDBPyConnection, table: str, columns: tuple[str, ...]) -> None:
    """New data files of `table` are written per value of `columns` (e.g. BACI by year)."""
    if columns:
        shown = ", ".join(f'"{column}"' for column in columns)
        con.execute(f"alter table {table} set partitioned by ({shown})")


@contextmanager
def table_locks(target: LakeTarget, tables: tuple[str, ...]) -> Iterator[None]:
    """One writer per raw table across every machine: PostgreSQL advisory locks on the
    catalog, held by this session for the load. A held lock is retried `lock_attempts`
    times with a doubling wait, then LockHeld (exit 3). kill -9 ends the session and with
    it the lock. A file catalog has one writer anyway (DuckDB's file lock)."""
    dsn = target.postgres_dsn
    if dsn is None or not tables:
        yield
        return
    import psycopg  # deferred: the lake extra's optional dependency (make lake-install)

    try:
        pg = psycopg.connect(
            dsn, autocommit=True, application_name=f"tradewatch {socket.gethostname()}"
        )
    except psycopg.Error as error:
        raise CatalogUnavailable(
            f"cannot reach the lake catalog {_shown(target.catalog)}: {_first_line(error)}"
        ) from None
    with pg:
        _acquire(pg, sorted(set(tables)), target)
        yield


def _acquire(pg: Any, tables: list[str], target: LakeTarget) -> None:
    waited = 0.0
    attempts = max(target.lock_attempts, 1)
    for attempt in range(attempts):
        held_by = _try_all(pg, tables)
        if held_by is None:
            return
        if attempt == attempts - 1:
            table, holder = held_by
            raise LockHeld(
                f"{table} is being loaded by another writer ({holder}); gave up after "
                f"{attempts} attempts over {waited:.0f} s, nothing loaded; try later"
            )
        pause = target.lock_wait_s * 2**attempt
        time.sleep(pause)
        waited += pause


def _try_all(pg: Any, tables: list[str]) -> tuple[str, str] | None:
    """Every table's lock, or none of them and (the table, who holds it)."""
    got: list[str] = []
    for table in tables:
        row = pg.execute(
            "select pg_try_advisory_lock(%s, hashtext(%s))", [LOCK_NAMESPACE, table]
        ).fetchone()
        if not row[0]:
            for taken in got:
                pg.execute("select pg_advisory_unlock(%s, hashtext(%s))", [LOCK_NAMESPACE, taken])
            return table, _holder(pg, table)
        got.append(table)
    return None


def _holder(pg: Any, table: str) -> str:
    row = pg.execute(
        "select a.application_name, a.pid, a.backend_start from pg_locks l "
        "join pg_stat_activity a on a.pid = l.pid where l.locktype = 'advisory' "
        "and l.granted and l.classid = %s and l.objid = hashtext(%s)::oid "
        "and l.database = (select oid from pg_database where datname = current_database())",
        [LOCK_NAMESPACE, table],
    ).fetchone()
    if row is None:
        return "it has just finished"
    return f"{row[0] or 'a writer'}, catalog backend {row[1]}, connected {row[2]:%Y-%m-%d %H:%M}"


def _s3_secret(con: duckdb.DuckDBPyConnection) -> None:
    """S3 credentials from the standard AWS variables (never from a file tradewatch reads)."""
    values = {
        "key_id": os.environ.get("AWS_ACCESS_KEY_ID"),
        "secret": os.environ.get("AWS_SECRET_ACCESS_KEY"),
        "session_token": os.environ.get("AWS_SESSION_TOKEN"),
        "region": os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION"),
        "endpoint": os.environ.get("TRADEWATCH_S3_ENDPOINT"),
    }
    options = "".join(f", {key} {_literal(value)}" for key, value in values.items() if value)
    con.execute(f"create or replace secret tradewatch_s3 (type s3{options})")


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    with suppress(duckdb.Error):
        con.execute("rollback")


def _shown(catalog: str) -> str:
    """The catalog string without a password."""
    return re.sub(r"(password\s*=\s*)\S+", r"\1REDACTED", catalog, flags=re.I)


def _first_line(error: BaseException) -> str:
    return " ".join(str(error).split())[:300]


def _literal(value: object) -> str:
    return "'" + str(value).replace("'", "''") + "'"
