"""The connection recipes in docs/bi.md, run against a published copy."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from ingest import publish
from ingest.settings import Settings
from tests.warehouse_copies import copy_built

LATEST_GOAL = sa.text(
    "select month_date, pct_of_goal from marts.trade_goal_progress order by month_date desc limit 1"
)


def _published(built: Settings, folder: Path) -> Path:
    """A private copy of the published file: DuckDB keeps one configuration per file and
    process, so each recipe opens a file no other test has open."""
    folder.mkdir(parents=True)
    target = folder / "tradewatch.duckdb"
    shutil.copy2(built.published_dir / "tradewatch.duckdb", target)
    return target


@pytest.mark.filterwarnings("ignore:duckdb-engine doesn't yet support reflection on indices")
def test_sqlalchemy_read_only_via_connect_args(built_warehouse: Settings, tmp_path: Path) -> None:
    path = _published(built_warehouse, tmp_path / "a")
    engine = sa.create_engine(f"duckdb:///{path}", connect_args={"read_only": True})
    try:
        with engine.connect() as con:
            assert con.execute(LATEST_GOAL).fetchall() == [(date(2026, 8, 1), 42.6449)]
            inspector = sa.inspect(con)
            assert {"trade_goal_progress", "us_turkey_trade_monthly"} <= set(
                inspector.get_table_names(schema="marts")
            )
            table = sa.Table(
                "trade_goal_progress", sa.MetaData(), schema="marts", autoload_with=con
            )
            assert "pct_of_goal" in table.columns
            rows = con.execute(
                sa.select(table.c.month_date).where(table.c.pct_of_goal >= 42.6)
            ).fetchall()
            assert date(2026, 8, 1) in {row[0] for row in rows}
            with pytest.raises(sa.exc.ProgrammingError, match="read-only mode"):
                con.execute(sa.text("create table marts.scratch (a integer)"))
    finally:
        engine.dispose()


def test_sqlalchemy_read_only_via_the_url(built_warehouse: Settings, tmp_path: Path) -> None:
    path = _published(built_warehouse, tmp_path / "b")
    engine = sa.create_engine(f"duckdb:///{path}?access_mode=read_only")
    try:
        with engine.connect() as con:
            assert con.execute(LATEST_GOAL).fetchall() == [(date(2026, 8, 1), 42.6449)]
            with pytest.raises(sa.exc.ProgrammingError, match="read-only mode"):
                con.execute(sa.text("delete from marts.countries"))
    finally:
        engine.dispose()


def test_a_pool_free_engine_sees_the_next_publish(
    built_warehouse: Settings, tmp_path: Path
) -> None:
    settings = copy_built(built_warehouse, tmp_path)
    path = settings.published_dir / "tradewatch.duckdb"
    engine = sa.create_engine(
        f"duckdb:///{path}", connect_args={"read_only": True}, poolclass=NullPool
    )
    build_id = sa.text("select build_id from ops.publication")
    try:
        with engine.connect() as con:
            before = con.execute(build_id).scalar_one()
        after = publish.publish(settings).build_id
        with engine.connect() as con:
            assert con.execute(build_id).scalar_one() == after != before
    finally:
        engine.dispose()


def test_parquet_files_read_without_duckdb_files(built_warehouse: Settings) -> None:
    folder = built_warehouse.published_dir / "parquet"
    progress = pl.read_parquet(folder / "trade_goal_progress.parquet")
    latest = progress.sort("month_date").tail(1)
    assert latest.select("month_date", "pct_of_goal").row(0) == (date(2026, 8, 1), 42.6449)
    with duckdb.connect() as con:
        rows = con.execute(
            "select count(*) from read_parquet(?)",
            [str(folder / "us_turkey_trade_monthly.parquet")],
        ).fetchall()
    assert rows == [(500,)]
