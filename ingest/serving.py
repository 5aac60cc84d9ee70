"""Serving: every mart, with its dbt descriptions as comments, in schema `marts` of PostgreSQL.

The marts are written into a fresh staging schema first; one transaction then renames the
old `marts` away and the staging schema to `marts`, so a BI tool sees the previous
publication or the new one, never half of one. The old schema is dropped afterwards.
Reads the warehouse of the current target (the DuckDB file or the lake).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from ingest import warehouse
from ingest.errors import LockHeld, TradewatchError
from ingest.lake import LOCK_NAMESPACE
from ingest.settings import Settings, dbt_work_dir
from ingest.transform import run_dbt

SCHEMA = "marts"
BATCH_ROWS = 50_000
SCALAR_TYPES = {
    "BOOLEAN": "boolean",
    "TINYINT": "smallint",
    "SMALLINT": "smallint",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "HUGEINT": "numeric(39, 0)",
    "UTINYINT": "smallint",
    "USMALLINT": "integer",
    "UINTEGER": "bigint",
    "UBIGINT": "numeric(20, 0)",
    "FLOAT": "real",
    "DOUBLE": "double precision",
    "VARCHAR": "text",
    "DATE": "date",
    "TIME": "time",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
    "INTERVAL": "interval",
    "UUID": "uuid",
    "BLOB": "bytea",
}


class ServingFailed(TradewatchError):
    """The PostgreSQL publication failed; the previous `marts` schema is still served."""

    exit_code = 74


@dataclass(frozen=True)
class Column:
    name: str
    duckdb_type: str
    postgres_type: str
    comment: str


@dataclass(frozen=True)
class Mart:
    name: str
    comment: str
    columns: tuple[Column, ...]


@dataclass(frozen=True)
class Served:
    publication_id: str
    published_at: datetime
    rows: dict[str, int]


def postgres_type(duckdb_type: str) -> str | None:
    """The PostgreSQL type for a DuckDB column type; None: served as text."""
    upper = duckdb_type.upper()
    if upper.endswith("[]"):
        inner = postgres_type(upper[:-2])
        return f"{inner}[]" if inner else None
    decimal = re.fullmatch(r"DECIMAL\((\d+),\s*(\d+)\)", upper)
    if decimal:
        return f"numeric({decimal[1]}, {decimal[2]})"
    return SCALAR_TYPES.get(upper)


def publish_postgres(settings: Settings, dsn: str, *, grant_to: str | None = None) -> Served:
    """Serve every mart in `marts` of the PostgreSQL database at `dsn`, swapped in at once."""
    psycopg = _psycopg()
    docs = _dbt_docs(settings)
    published_at = datetime.now(UTC).replace(microsecond=0)
    publication_id = f"{published_at:%Y%m%dT%H%M%SZ}_{uuid.uuid4().hex[:8]}"
    staging = f"marts_next_{publication_id.lower()}"
    rows: dict[str, int] = {}
    try:
        pg = psycopg.connect(dsn, autocommit=True, application_name="tradewatch publish")
    except psycopg.Error as error:
        raise ServingFailed(f"cannot connect to the serving database: {_line(error)}") from None
    with pg, warehouse.connect(settings.db_path, read_only=True) as con:
        marts = _marts(con, docs)
        if not marts:
            raise ServingFailed("the warehouse has no marts yet; run `tradewatch build` first")
        _one_publisher(pg)
        try:
            _drop_leftovers(pg)
            with pg.transaction():
                pg.execute(f'create schema "{staging}"')
                for mart in marts:
                    rows[mart.name] = _copy_mart(con, pg, staging, mart)
                _comment(pg, f'schema "{staging}"', f"tradewatch marts, {publication_id}")
                if grant_to:
                    _grant(pg, staging, grant_to)
            _swap(pg, staging)
        except psycopg.Error as error:
            _drop_quietly(pg, staging)
            raise ServingFailed(
                f"serving publication failed, the previous marts are still served: {_line(error)}"
            ) from None
    return Served(publication_id, published_at, rows)


def _swap(pg: Any, staging: str) -> None:
    """The only moment readers could see a change: both renames in one transaction."""
    retired = f"marts_old_{staging.removeprefix('marts_next_')}"
    with pg.transaction():
        exists = pg.execute("select 1 from pg_namespace where nspname = %s", [SCHEMA]).fetchone()
        if exists:
            pg.execute(f'alter schema {SCHEMA} rename to "{retired}"')
        pg.execute(f'alter schema "{staging}" rename to {SCHEMA}')
    # a reader still inside a query on the old tables keeps them until it finishes
    with pg.transaction():
        pg.execute(f'drop schema if exists "{retired}" cascade')


def _copy_mart(con: duckdb.DuckDBPyConnection, pg: Any, schema: str, mart: Mart) -> int:
    columns = ", ".join(f'"{c.name}" {c.postgres_type}' for c in mart.columns)
    pg.execute(f'create table "{schema}"."{mart.name}" ({columns})')
    _comment(pg, f'table "{schema}"."{mart.name}"', mart.comment)
    for column in mart.columns:
        _comment(pg, f'column "{schema}"."{mart.name}"."{column.name}"', column.comment)
    names = ", ".join(f'"{c.name}"' for c in mart.columns)
    count = 0
    with pg.cursor().copy(f'copy "{schema}"."{mart.name}" ({names}) from stdin') as copy:
        for batch in _batches(con, mart):
            for row in batch:
                copy.write_row(row)
            count += len(batch)
    return count


def _batches(con: duckdb.DuckDBPyConnection, mart: Mart) -> Iterator[list[tuple[Any, ...]]]:
    """Rows in batches; a type PostgreSQL has no twin for travels as its text form."""
    shown = ", ".join(
        f'"{c.name}"'
        if c.postgres_type != "text" or c.duckdb_type == "VARCHAR"
        else f'"{c.name}"::varchar as "{c.name}"'
        for c in mart.columns
    )
    cursor = con.execute(f'select {shown} from {SCHEMA}."{mart.name}"')
    while batch := cursor.fetchmany(BATCH_ROWS):
        yield batch


def _marts(con: duckdb.DuckDBPyConnection, docs: dict[str, dict[str, Any]]) -> list[Mart]:
    rows = con.execute(
        "select table_name, column_name, data_type from information_schema.columns "
        "where table_catalog = current_database() and table_schema = ? "
        "order by table_name, ordinal_position",
        [SCHEMA],
    ).fetchall()
    columns: dict[str, list[Column]] = {}
    for table, column, duckdb_type in rows:
        described = docs.get(table, {}).get("columns", {}).get(column, {})
        columns.setdefault(table, []).append(
            Column(
                name=column,
                duckdb_type=duckdb_type.upper(),
                postgres_type=postgres_type(duckdb_type) or "text",
                comment=(described.get("description") or "").strip(),
            )
        )
    return [
        Mart(name, (docs.get(name, {}).get("description") or "").strip(), tuple(cols))
        for name, cols in columns.items()
    ]


def _dbt_docs(settings: Settings) -> dict[str, dict[str, Any]]:
    """Model and column descriptions of the marts, from dbt's manifest (parsed if this
    machine has not built: a lake may be built elsewhere)."""
    manifest = dbt_work_dir(settings) / "target" / "manifest.json"
    if not manifest.exists():
        run_dbt(settings, "parse", target="serving")
        manifest = dbt_work_dir(settings) / "serving" / "manifest.json"
    return _mart_docs(manifest)


def _mart_docs(manifest: Path) -> dict[str, dict[str, Any]]:
    nodes = json.loads(manifest.read_text(encoding="utf-8")).get("nodes", {})
    return {
        node.get("alias") or node["name"]: node
        for node in nodes.values()
        if node.get("resource_type") == "model" and node.get("schema") == SCHEMA
    }


def _comment(pg: Any, what: str, text: str) -> None:
    """COMMENT takes no bound parameters: the text goes in as a quoted literal. `what`
    names only our own schema, the marts and their columns (from the warehouse)."""
    from psycopg import sql  # deferred: psycopg is optional (`make lake-install`), see _psycopg

    pg.execute(sql.SQL("comment on {} is {}").format(sql.SQL(what), sql.Literal(text)))


def _grant(pg: Any, schema: str, role: str) -> None:
    from psycopg import sql  # deferred: psycopg is optional (`make lake-install`), see _psycopg

    pg.execute(
        sql.SQL("grant usage on schema {} to {}").format(
            sql.Identifier(schema), sql.Identifier(role)
        )
    )
    pg.execute(
        sql.SQL("grant select on all tables in schema {} to {}").format(
            sql.Identifier(schema), sql.Identifier(role)
        )
    )


def _one_publisher(pg: Any) -> None:
    """One publication at a time per serving database (a session lock: released when this
    connection closes, also when the process is killed)."""
    row = pg.execute(
        "select pg_try_advisory_lock(%s, hashtext('tradewatch serving'))", [LOCK_NAMESPACE]
    ).fetchone()
    if not row[0]:
        raise LockHeld(
            "another `tradewatch publish --postgres` is writing this database; try later"
        )


def _drop_leftovers(pg: Any) -> None:
    """Schemas of a publication that died halfway (they were never `marts`)."""
    with pg.transaction():
        names = pg.execute(
            "select nspname from pg_namespace where nspname like 'marts\\_next\\_%' "
            "or nspname like 'marts\\_old\\_%'"
        ).fetchall()
    for (name,) in names:
        _drop_quietly(pg, name)


def _drop_quietly(pg: Any, schema: str) -> None:
    psycopg = _psycopg()

    with suppress(psycopg.Error), pg.transaction():
        pg.execute(f'drop schema if exists "{schema}" cascade')


def _psycopg() -> Any:
    try:  # deferred: psycopg is optional (the lake extra); only --postgres needs it
        import psycopg
    except ImportError:
        raise TradewatchError(
            "publishing to PostgreSQL needs psycopg: `make lake-install` "
            "(or pip install 'psycopg[binary]')"
        ) from None
    return psycopg


def _line(error: BaseException) -> str:
    return " ".join(str(error).split())[:300]
