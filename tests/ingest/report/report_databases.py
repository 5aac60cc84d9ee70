"""Warehouses for report tests: the session's published copy without, or with, the
rare-earth and deals marts (rare earths from tests/fixtures/report/, real figures; deals
from the build's own register)."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from ingest.settings import Settings
from tests.conftest import fixture_path

ALL_SECTIONS = {
    "trade-goal",
    "revisions",
    "turkey-rank",
    "rare-earth-supply",
    "china-share",
    "deals-pipeline",
    "deals-timeline",
}
# the sections a warehouse with only the trade marts can draw
TRADE_SECTIONS = {"trade-goal", "revisions", "turkey-rank"}
RARE_EARTH_MARTS = (
    "rare_earth_supply",
    "rare_earth_supply_latest",
    "rare_earth_import_dependence",
)
OTHER_MARTS = (*RARE_EARTH_MARTS, "deals", "deals_pipeline", "deal_status_history")
HOSTILE_TITLE = '<script>alert("x")</script> & </td></table> Pegasus "$5bn"'
HOSTILE_URL = "javascript:alert(1)"


def trade_only(built: Settings, folder: Path) -> Path:
    """The published copy with every rare-earth and deals mart dropped (if a build has them)."""
    path = _copy(built, folder)
    with duckdb.connect(str(path)) as con:
        _drop(con, OTHER_MARTS)
    return path


def with_all_marts(built: Settings, folder: Path, *, hostile: bool = False) -> Path:
    path = _copy(built, folder)
    with duckdb.connect(str(path)) as con:
        _drop(con, RARE_EARTH_MARTS)  # the build's own versions, if it has them
        con.execute(
            f"""
            create or replace table marts.rare_earth_supply as
            with published as (
                select * from read_csv('{_csv("rare_earth_supply.csv")}',
                                       types={{'country_iso3': 'varchar'}})
            ),
            world as (
                select edition, year, mine_production_t_reo as world_t
                from published where country_name = 'World'
            )
            select published.*,
                   null::bigint as reserves_t_reo,
                   round(100.0 * published.mine_production_t_reo / world.world_t, 2)
                       as share_of_world_production_pct
            from published
            inner join world using (edition, year)
            """
        )
        con.execute(
            f"create or replace table marts.rare_earth_import_dependence as "
            f"select * from read_csv('{_csv('rare_earth_import_dependence.csv')}')"
        )
        if hostile:
            con.execute(
                "insert into marts.deals (deal_id, title, status, status_date, source_name, "
                "source_url) values ('hostile-title-test', ?, 'talks', '2025-03-01', ?, ?)",
                [HOSTILE_TITLE, HOSTILE_TITLE, HOSTILE_URL],
            )
            con.execute(
                "insert into marts.deal_status_history (deal_id, status, valid_from) "
                "values ('hostile-title-test', 'talks', '2025-03-01')"
            )
    return path


def _drop(con: duckdb.DuckDBPyConnection, marts: tuple[str, ...]) -> None:
    views = {
        name
        for (name,) in con.execute(
            "select view_name from duckdb_views() where schema_name = 'marts'"
        ).fetchall()
    }
    for mart in marts:
        kind = "view" if mart in views else "table"
        con.execute(f"drop {kind} if exists marts.{mart}")


def _copy(built: Settings, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "tradewatch.duckdb"
    shutil.copy2(built.published_dir / "tradewatch.duckdb", target)
    return target


def _csv(name: str) -> str:
    return str(fixture_path("report", name)).replace("'", "''")
