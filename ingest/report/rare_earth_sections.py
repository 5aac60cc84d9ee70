"""The report's rare-earth sections: who mines, and how much the U.S. and Turkey buy from
China at each processing stage."""

from __future__ import annotations

from typing import cast

import polars as pl

from ingest.report import rare_earth_charts
from ingest.report.content import STAGE_ORDER, Section, Table, built, number, pct
from ingest.report.marts import BuildInfo, MartReader, Missing

USGS = "USGS Mineral Commodity Summaries, rare earths (public domain)"
SUPPLY = "marts.rare_earth_supply"
SUPPLY_LATEST = "marts.rare_earth_supply_latest"
DEPENDENCE = "marts.rare_earth_import_dependence"
SUPPLY_COLUMNS = (
    "edition",
    "country_iso3",
    "country_name",
    "year",
    "mine_production_t_reo",
    "share_of_world_production_pct",
)


def rare_earth_supply(section: Section, reader: MartReader, build: BuildInfo) -> Missing | None:
    table = SUPPLY_LATEST if reader.check(SUPPLY_LATEST, SUPPLY_COLUMNS) is None else SUPPLY
    missing = reader.check(table, SUPPLY_COLUMNS)
    if missing:
        if table == SUPPLY and not reader.has(SUPPLY_LATEST):
            return Missing((SUPPLY_LATEST, SUPPLY), f"{missing.reason} (nor is {SUPPLY_LATEST})")
        return missing
    supply = reader.frame(
        f"""
        select edition, country_iso3, country_name, year,
               mine_production_t_reo::double as production_t,
               share_of_world_production_pct::double as share_pct
        from {table}
        where country_iso3 is not null and share_of_world_production_pct is not null
        -- one edition per year, never mixed: the newest that publishes the year
        qualify edition = max(edition) over (partition by year)
        order by year, country_iso3
        """
    )
    if supply.is_empty():
        return Missing((table,), f"{table} has no country shares in this build")
    section.figure = rare_earth_charts.production_shares(supply)
    editions = ", ".join(sorted(set(supply["edition"].to_list())))
    section.caption = f"Source: {USGS}. Vintage: editions {editions}. {built(build)}"
    latest_year = cast(int, supply["year"].max())
    top = supply.filter(pl.col("year") == latest_year).sort("share_pct", descending=True)
    section.tables.append(
        Table(
            f"Largest producers in {latest_year}",
            ("country", "mine production (t REO)", "share of world", "edition"),
            [
                (
                    row["country_name"],
                    number(row["production_t"]),
                    pct(row["share_pct"]),
                    row["edition"],
                )
                for row in top.head(8).iter_rows(named=True)
            ],
        )
    )
    return None


def china_dependence(section: Section, reader: MartReader, build: BuildInfo) -> Missing | None:
    vintage_column = reader.first(DEPENDENCE, "vintage")
    vintage_sql = vintage_column or "null::varchar"
    rows = reader.frame(
        f"select importer_iso3, stage, year, source, china_share_pct::double as china_share_pct,"
        f" imports_usd::double as imports_usd, imports_usd::double / 1e6 as imports_musd, "
        f"{vintage_sql} as vintage from {DEPENDENCE} "
        f"where importer_iso3 in ('USA', 'TUR') order by importer_iso3, stage, source, year"
    )
    shares = rows.filter(pl.col("china_share_pct").is_not_null())
    if shares.is_empty():
        return Missing((DEPENDENCE,), f"{DEPENDENCE} has no China shares for USA or TUR")
    notes = {importer: stage_coverage(rows, importer) for importer in ("USA", "TUR")}
    section.figure = rare_earth_charts.china_shares(rows, STAGE_ORDER, notes)
    sources = sorted(set(rows["source"].to_list()))
    vintages = sorted(set(rows["vintage"].drop_nulls().to_list())) or reader.source_vintages(
        *sources
    )
    loaded = reader.last_loaded(*sources) or "?"
    shown = ", ".join(vintages) if vintages else f"as loaded {loaded}"
    coverage = " ".join(f"{name}: {notes[iso3]}" for iso3, name in rare_earth_charts.IMPORTERS)
    section.caption = (
        f"{coverage} Source: {', '.join(sources)} (rare-earth HS basket, by stage). "
        f"Vintage: {shown}. {built(build)}"
    )
    latest_year = cast(int, shares["year"].max())
    latest = shares.filter(pl.col("year") == latest_year).sort("importer_iso3", "stage")
    section.tables.append(
        Table(
            f"China's share in {latest_year}",
            ("importer", "stage", "source", "imports (USD)", "China's share"),
            [
                (
                    row["importer_iso3"],
                    row["stage"],
                    row["source"],
                    number(row["imports_usd"]),
                    pct(row["china_share_pct"]),
                )
                for row in latest.iter_rows(named=True)
            ],
        )
    )
    return None


def stage_coverage(rows: pl.DataFrame, importer: str) -> str:
    """Which stages the chart draws for an importer, and which have no data in this build."""
    mine = rows.filter(pl.col("importer_iso3") == importer)
    with_share = set(mine.filter(pl.col("china_share_pct").is_not_null())["stage"].to_list())
    with_imports = set(mine["stage"].to_list())
    groups = (
        ("China's share", [stage for stage in STAGE_ORDER if stage in with_share]),
        (
            "imports only (totals without suppliers)",
            [stage for stage in STAGE_ORDER if stage in with_imports - with_share],
        ),
        ("no data in this build", [stage for stage in STAGE_ORDER if stage not in with_imports]),
    )
    return "; ".join(f"{label}: {', '.join(found)}" for label, found in groups if found) + "."
