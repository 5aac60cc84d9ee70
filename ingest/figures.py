"""Tracked figures: the headline numbers a reader watches, snapshotted after every dbt build.

`tradewatch diff` and the alerts compare two snapshots, so a figure that moved because a
release revised it is named even though the marts keep only the newest value.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import duckdb

from ingest import ledger


@dataclass(frozen=True)
class Figure:
    figure: str  # the key two snapshots are compared on
    period: str | None  # the month, year or as-of month the value belongs to
    value: float | None
    unit: str  # usd, pct, rank, t_reo
    label: str


@dataclass(frozen=True)
class Snapshot:
    snapshot_id: int
    taken_at: datetime
    releases: tuple[str, ...]  # "source vintage" of every successful load
    figures: dict[str, Figure]


# each query returns (figure, period, value, unit, label) rows; a missing mart returns none
FIGURE_QUERIES = (
    """
    select 't12m_total_usd', strftime(month_date, '%Y-%m'), total_trade_t12m_usd, 'usd',
           'U.S.-Turkey trade, trailing 12 months'
    from marts.trade_goal_progress order by month_date desc limit 1
    """,
    """
    select 't12m_pct_of_goal', strftime(month_date, '%Y-%m'), pct_of_goal, 'pct',
           'trailing 12 months, % of the $100bn goal'
    from marts.trade_goal_progress order by month_date desc limit 1
    """,
    """
    select 'annual_total_usd_' || year, cast(year as varchar), total_trade_usd, 'usd',
           'U.S.-Turkey trade in ' || year
    from marts.us_turkey_trade_annual where is_complete_year order by year
    """,
    """
    select 'turkey_partner_rank', cast(year as varchar), rank_by_total, 'rank',
           'Turkey''s rank among U.S. trading partners'
    from marts.us_trade_partners_annual where partner_census_code = '4890'
    order by year desc limit 1
    """,
    """
    select 'china_share_us_magnet_imports_pct', year || ' ' || source, china_share_pct, 'pct',
           'China''s share of U.S. rare-earth magnet imports'
    from marts.rare_earth_import_dependence
    where importer_iso3 = 'USA' and stage = 'magnet' and china_share_pct is not null
    order by year desc,
        case source when 'census-hs' then 0 when 'comtrade' then 1 else 2 end
    limit 1
    """,
    """
    select 'usgs_china_mine_production_t_reo', year || ' ' || edition, mine_production_t_reo,
           't_reo', 'China''s rare-earth mine production (USGS)'
    from marts.rare_earth_supply_latest
    where country_iso3 = 'CHN' and mine_production_t_reo is not null
    order by year desc limit 1
    """,
    """
    select 'nowcast_total_usd', strftime(as_of_month, '%Y-%m'), nowcast_total_usd, 'usd',
           'nowcast of ' || year || ' U.S.-Turkey trade (' || method || ')'
    from marts.trade_goal_nowcast order by as_of_month desc limit 1
    """,
)


def current_figures(con: duckdb.DuckDBPyConnection) -> dict[str, Figure]:
    figures: dict[str, Figure] = {}
    for sql in FIGURE_QUERIES:
        try:
            rows = con.execute(sql).fetchall()
        except duckdb.CatalogException:
            continue  # a mart this warehouse has not built
        for figure, period, value, unit, label in rows:
            figures[figure] = Figure(figure, period, _number(value), unit, label)
    return figures


def record_snapshot(db_path: Path) -> Snapshot:
    """Snapshot the tracked figures and the releases they come from into the ledger."""
    with ledger.connect(db_path) as con:
        figures = current_figures(con)
        releases = _releases(con)
        taken_at = datetime.now(UTC)
        rows = [(f.figure, f.period, f.value, f.unit, f.label) for f in figures.values()]
        snapshot_id = ledger.record_snapshot(con, taken_at, json.dumps(releases), rows)
    return Snapshot(snapshot_id, taken_at, tuple(releases), figures)


def snapshots(db_path: Path, *, read_only: bool = True) -> list[Snapshot]:
    """Every recorded snapshot, oldest first (none before the first build that took one)."""
    with ledger.connect(db_path, read_only=read_only) as con:
        heads, rows = ledger.snapshots(con)
    figures: dict[int, dict[str, Figure]] = {head.snapshot_id: {} for head in heads}
    for row in rows:
        figures[row.snapshot_id][row.figure] = Figure(
            row.figure, row.period, row.value, row.unit, row.label
        )
    return [
        Snapshot(snapshot_id, taken_at, tuple(json.loads(releases)), figures[snapshot_id])
        for snapshot_id, taken_at, releases in heads
    ]


def _releases(con: duckdb.DuckDBPyConnection) -> list[str]:
    # a compiled file names every edition it holds: "MCS2023,MCS2024,MCS2025"
    releases = {
        f"{source} {part}"
        for source, vintage in ledger.loaded_releases(con)
        for part in vintage.split(",")
    }
    return sorted(releases)


def _number(value: object) -> float | None:
    if value is None:
        return None
    return float(value) if isinstance(value, Decimal | int | float) else None
