"""Descriptions inside the database: dbt persist_docs comments in the live warehouse, the
published copy and the Parquet files."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from ingest import descriptions, publish
from ingest.settings import Settings
from tests.warehouse_copies import copy_built

MART_COLUMNS = """
select columns.table_name, columns.column_name, columns.comment
from duckdb_columns() as columns
where columns.schema_name = 'marts' and columns.database_name = current_database()
order by columns.table_name, columns.column_index
"""
MART_RELATIONS = """
select table_name, comment from duckdb_tables() where schema_name = 'marts'
union all
select view_name, comment from duckdb_views() where schema_name = 'marts' and not internal
order by 1
"""


def _published(settings: Settings) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(publish.published_database(settings)), read_only=True)


def test_every_mart_column_has_a_description_in_the_published_copy(
    built_warehouse: Settings,
) -> None:
    with _published(built_warehouse) as con:
        columns = con.execute(MART_COLUMNS).fetchall()
        relations = con.execute(MART_RELATIONS).fetchall()
    assert len(relations) >= 20 and len(columns) > 250
    undescribed = [f"{table}.{column}" for table, column, comment in columns if not comment]
    assert undescribed == []
    assert [name for name, comment in relations if not comment] == []
    by_column = {(table, column): comment for table, column, comment in columns}
    assert "DEPRECATED alias of month_date" in by_column["trade_goal_progress", "as_of_month"]
    assert "only for complete years" in by_column["us_turkey_trade_annual", "pct_of_goal"]


def test_the_published_copy_carries_the_live_warehouse_comments(
    built_warehouse: Settings,
) -> None:
    with duckdb.connect(str(built_warehouse.db_path), read_only=True) as live:
        expected = live.execute(MART_COLUMNS).fetchall() + live.execute(MART_RELATIONS).fetchall()
    with _published(built_warehouse) as con:
        copied = con.execute(MART_COLUMNS).fetchall() + con.execute(MART_RELATIONS).fetchall()
    assert copied == expected


def test_each_mart_parquet_file_carries_its_descriptions(built_warehouse: Settings) -> None:
    manifest = publish.read_manifest(built_warehouse)
    assert manifest is not None
    with _published(built_warehouse) as con:
        columns = con.execute(MART_COLUMNS).fetchall()
    for table, entry in manifest["tables"].items():
        if "parquet" not in entry:
            continue
        name = table.split(".", 1)[1]
        metadata = pq.read_schema(built_warehouse.published_dir / entry["parquet"]).metadata
        assert metadata[b"description"].decode(), name
        described = json.loads(metadata[b"column_descriptions"].decode())
        assert described == {column: text for mart, column, text in columns if mart == name}


def test_comments_a_copy_lost_are_written_back(tmp_path: Path) -> None:
    with duckdb.connect() as con:
        con.execute(f"attach '{tmp_path / 'live.duckdb'}' as live")
        con.execute(f"attach '{tmp_path / 'next.duckdb'}' as next_copy")
        for database in ("live", "next_copy"):
            con.execute(f"create schema {database}.marts")
            con.execute(f"create table {database}.marts.t as select 1 as year_usd")
            con.execute(f"create view {database}.marts.v as select * from {database}.marts.t")
        con.execute("comment on table live.marts.t is 'One row per year: Türkiye''s total.'")
        con.execute("comment on column live.marts.t.year_usd is 'USD – whole dollars'")
        con.execute("comment on view live.marts.v is 'The same, as a view.'")
        con.execute("comment on column live.marts.v.year_usd is 'USD'")

        assert descriptions.copy_missing_comments(con, "live", "next_copy") == 4
        assert descriptions.comments(con, "next_copy") == descriptions.comments(con, "live")
        assert descriptions.copy_missing_comments(con, "live", "next_copy") == 0


@pytest.mark.parametrize("storage_version", [None, "v1.4.0"])
def test_republishing_keeps_every_description(
    built_warehouse: Settings, tmp_path: Path, storage_version: str | None
) -> None:
    settings = copy_built(built_warehouse, tmp_path)
    publication = publish.publish(settings, storage_version=storage_version)
    with duckdb.connect(str(built_warehouse.db_path), read_only=True) as live:
        expected = live.execute(MART_COLUMNS).fetchall()
    with duckdb.connect(str(publication.database), read_only=True) as con:
        assert con.execute(MART_COLUMNS).fetchall() == expected
