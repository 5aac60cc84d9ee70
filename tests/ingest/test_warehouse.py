"""warehouse: raw tables exist before their first load, with the loader's own columns."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest

from ingest import pipeline, transform, warehouse
from ingest.settings import Settings
from ingest.sources import SOURCES

TABLES_SQL = "select table_schema, table_name from information_schema.tables"
SCHEMAS = {
    "raw_example.flows": pl.Schema({"code": pl.String, "value": pl.Int64, "month": pl.Int8}),
}


def test_ensure_raw_tables_creates_empty_tables_with_the_declared_columns(
    settings: Settings,
) -> None:
    assert warehouse.ensure_raw_tables(settings.db_path, SCHEMAS) == ["raw_example.flows"]
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        columns = con.execute("describe raw_example.flows").fetchall()
        count = con.execute("select count(*) from raw_example.flows").fetchone()
    assert [(name, kind) for name, kind, *_ in columns] == [
        ("code", "VARCHAR"),
        ("value", "BIGINT"),
        ("month", "TINYINT"),
        ("load_id", "VARCHAR"),
        ("loaded_at", "TIMESTAMP WITH TIME ZONE"),
    ]
    assert count == (0,)


def test_ensure_raw_tables_leaves_existing_tables_and_rows_alone(settings: Settings) -> None:
    warehouse.ensure_raw_tables(settings.db_path, SCHEMAS)
    with duckdb.connect(str(settings.db_path)) as con:
        con.execute("insert into raw_example.flows values ('4890', 1, 3, 'load', now())")
    assert warehouse.ensure_raw_tables(settings.db_path, SCHEMAS) == []
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        assert con.execute("select code, value from raw_example.flows").fetchall() == [("4890", 1)]


def test_dbt_builds_only_after_every_registered_raw_table_exists(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[set[str]] = []

    def fake_dbt(settings: Settings, *args: str) -> transform.DbtOutcome:
        with duckdb.connect(str(settings.db_path), read_only=True) as con:
            seen.append({f"{s}.{t}" for s, t in con.execute(TABLES_SQL).fetchall()})
        return transform.DbtOutcome(success=True, passed=0, failed=0, failures=())

    monkeypatch.setattr(transform, "run_dbt", fake_dbt)
    transform.build_models(settings)  # a fresh warehouse: nothing was ever loaded
    registered = {table.name for source in SOURCES.values() for table in source.tables}
    assert "raw_census_hs.turkey_by_hs" in registered
    assert registered <= seen[0]
    assert pipeline.unloaded_sources(settings) == list(SOURCES)


def test_sources_loaded_offline_are_not_reported_as_unloaded(built_warehouse: Settings) -> None:
    unloaded = pipeline.unloaded_sources(built_warehouse)
    assert unloaded == ["comtrade"]  # live only; census-hs loads its saved answers offline


@pytest.mark.parametrize("bulk", [False, True])
def test_only_a_bulk_transaction_lets_duckdb_reorder_rows(tmp_path: Path, bulk: bool) -> None:
    with warehouse.transaction(tmp_path / "w.duckdb", bulk=bulk) as con:
        (preserved,) = con.execute("select current_setting('preserve_insertion_order')").fetchone()
    assert preserved is (not bulk)
