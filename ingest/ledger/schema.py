"""The ledger's tables and rows, and the connections that make sure the tables exist."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from ingest import warehouse

LOADS = "ops.loads"  # a reader's check that the ledger is there (e.g. in a published copy)
PUBLICATION = "ops.publication"

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
class ExpectationOutcome:
    """One expectation's result on one raw table: a row of `ops.data_quality_results`."""

    raw_table: str
    expectation_type: str
    column_name: str | None
    kwargs: str  # JSON
    success: bool
    element_count: int | None
    unexpected_count: int | None
    unexpected_sample: str | None  # JSON list of a few offending values
    observed_value: str | None

    def describe(self) -> str:
        where = f" on {self.column_name}" if self.column_name else ""
        detail = (
            f" ({self.unexpected_count} rows, e.g. {self.unexpected_sample})"
            if self.unexpected_count
            else f" (observed {self.observed_value})"
            if self.observed_value
            else ""
        )
        return f"{self.expectation_type}{where}{detail}"


@dataclass(frozen=True)
class LoadRecord:
    """One load attempt: a row of `ops.loads`, in its column order."""

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


# --- connections: a writer makes sure every ledger table exists ---


@contextmanager
def connect(db_path: Path, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """The warehouse (file or lake) with its ledger created when writable."""
    with warehouse.connect(db_path, read_only=read_only, ddl=OPS_DDL) as con:
        yield con


@contextmanager
def transaction(
    db_path: Path,
    *,
    memory_limit: str | None = None,
    bulk: bool = False,
    tables: tuple[str, ...] = (),
) -> Iterator[duckdb.DuckDBPyConnection]:
    """`warehouse.transaction` on a warehouse whose ledger exists: a load's rows and its
    ledger row commit together or not at all."""
    with warehouse.transaction(
        db_path, ddl=OPS_DDL, memory_limit=memory_limit, bulk=bulk, tables=tables
    ) as con:
        yield con


def create(db_path: Path) -> None:
    """Every ledger table exists (dbt's stg_ops__loads reads ops.loads, even before a load)."""
    with connect(db_path):
        pass


def has_table(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    """Is `ops.<table>` in this warehouse (a read-only reader never creates it)?"""
    rows = con.execute(
        "select count(*) from duckdb_tables() where schema_name = 'ops' and table_name = ?",
        [table],
    ).fetchall()  # every row: DuckDB keeps a connection busy with an unfinished result
    return bool(rows and rows[0][0])
