"""Read-only looks into a test warehouse's raw tables, shared by the source tests."""

from __future__ import annotations

import duckdb

from ingest.settings import Settings


def raw(settings: Settings, sql: str) -> list[tuple[object, ...]]:
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        return con.execute(sql).fetchall()


def table_exists(settings: Settings, raw_table: str) -> bool:
    schema, table = raw_table.split(".")
    found = raw(
        settings,
        "select count(*) from information_schema.tables "
        f"where table_schema = '{schema}' and table_name = '{table}'",
    )
    return found == [(1,)]


def loads_and_rows(settings: Settings, raw_table: str) -> tuple[list[tuple[object, ...]], int]:
    """The ledger's (dataset, status) rows in order, and the table's row count: the state a
    refused file must leave unchanged."""
    loads = raw(settings, "select dataset, status from ops.loads order by started_at")
    ((rows,),) = raw(settings, f"select count(*) from {raw_table}")
    assert isinstance(rows, int)
    return loads, rows
