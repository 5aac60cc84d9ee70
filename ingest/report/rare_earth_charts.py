"""Rare-earth figures of the report: who mines and refines, and how much the U.S. and Turkey
import from China by processing stage."""

from __future__ import annotations

import textwrap
from typing import Any, cast

import polars as pl
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator, NullFormatter

from ingest.report.charts import (
    INK,
    MUTED,
    column_max,
    consecutive_runs,
    position_in,
    values_by_year,
)

STAGE_COLOURS = {"ore": "#8c6d31", "compound": "#2b6cb0", "metal": "#6b46c1", "magnet": "#c53030"}
COUNTRY_COLOURS = ("#c53030", "#2b6cb0", "#dd6b20", "#2f855a", "#6b46c1", "#718096")
LINE_STYLES = ("-", "--", ":", "-.")


def production_shares(supply: pl.DataFrame, *, top_n: int = 5) -> Figure:
    figure = Figure(figsize=(9, 4.4), layout="constrained")
    axis = figure.subplots()
    latest = supply.filter(pl.col("year") == supply["year"].max())
    leaders = latest.sort("share_pct", descending=True)["country_iso3"].head(top_n).to_list()
    names = dict(zip(supply["country_iso3"], supply["country_name"], strict=False))
    years = sorted(set(supply["year"].to_list()))
    base = [0.0] * len(years)
    for index, iso3 in enumerate(leaders):
        values = values_by_year(supply.filter(pl.col("country_iso3") == iso3), years, "share_pct")
        axis.bar(
            years,
            values,
            bottom=base,
            color=COUNTRY_COLOURS[index % 6],
            label=names.get(iso3, iso3),
        )
        base = [low + value for low, value in zip(base, values, strict=True)]
    rest = [max(0.0, 100.0 - total) for total in base]
    axis.bar(years, rest, bottom=base, color="#e2e8f0", label="all other countries")
    axis.set_ylim(0, 100)
    axis.set_ylabel("share of world mine production, %")
    axis.set_xticks(years)
    axis.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    axis.set_title("World rare-earth mine production by country (tonnes REO)")
    return figure


IMPORTERS = (("USA", "United States"), ("TUR", "Turkey"))


def china_shares(rows: pl.DataFrame, stages: tuple[str, ...], notes: dict[str, str]) -> Figure:
    """Top: China's share by stage where suppliers are known; bottom: imports of every stage
    with data. `notes` says, per importer, which stages have no share or no data."""
    figure = Figure(figsize=(9, 6.6), layout="constrained")
    axes = figure.subplots(2, 2, sharex=True)
    sources = sorted(set(rows["source"].to_list()))
    for column, (importer, label) in enumerate(IMPORTERS):
        mine = rows.filter(pl.col("importer_iso3") == importer)
        share_axis, imports_axis = axes[0][column], axes[1][column]
        share_axis.set_title(f"{label}: China's share of imports")
        imports_axis.set_title(f"{label}: imports by stage", fontsize=9)
        shares = mine.filter(pl.col("china_share_pct").is_not_null())
        _stage_lines(share_axis, shares, "china_share_pct", stages, sources, labels=True)
        _stage_lines(imports_axis, mine, "imports_musd", stages, sources, labels=False)
        share_axis.set_ylim(0, 105)
        share_axis.set_xlabel(
            "\n".join(textwrap.wrap(notes.get(importer, ""), 58)), fontsize=7, color=MUTED
        )
        if mine.is_empty():
            imports_axis.text(
                0.5,
                0.5,
                "no data in this build",
                ha="center",
                color=MUTED,
                transform=imports_axis.transAxes,
            )
        elif column_max(mine["imports_musd"]) > 10 * cast(float, mine["imports_musd"].min()):
            imports_axis.set_yscale("log")  # magnets dwarf metals: a log scale shows both
            imports_axis.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))
            imports_axis.yaxis.set_minor_formatter(NullFormatter())
        else:
            imports_axis.set_ylim(0, column_max(mine["imports_musd"]) * 1.25)
        imports_axis.xaxis.set_major_locator(MaxNLocator(integer=True))
        share_axis.legend(loc="lower left", fontsize=7)
        imports_axis.legend(loc="best", fontsize=7)
        for axis in (share_axis, imports_axis):
            axis.margins(x=0.08, y=0.15)
            axis.grid(axis="y", color="#e5e7eb", lw=0.6)
    axes[0][0].set_ylabel("China's share of import value, %")
    for axis in axes[1]:
        scale = " (log scale)" if axis.get_yscale() == "log" else ""
        axis.set_ylabel(f"imports, USD million{scale}")
    return figure


def _stage_lines(
    axis: Any,
    rows: pl.DataFrame,
    column: str,
    stages: tuple[str, ...],
    sources: list[str],
    *,
    labels: bool,
) -> None:
    """One line per stage (and source), broken where a year has no data."""
    present = sorted(set(rows["stage"].to_list()), key=lambda stage: position_in(stage, stages))
    for stage in present:
        colour = STAGE_COLOURS.get(stage, INK)
        for style, source in zip(LINE_STYLES, sources, strict=False):
            line = rows.filter((pl.col("stage") == stage) & (pl.col("source") == source))
            if line.is_empty():
                continue
            shown = stage if len(sources) == 1 else f"{stage} ({source})"
            for index, (years, values) in enumerate(consecutive_runs(line, column)):
                axis.plot(
                    years,
                    values,
                    ls=style,
                    marker="o",
                    ms=4,
                    color=colour,
                    label=shown if index == 0 else None,
                )
                if labels and line.height <= 6:  # few points: print each value
                    for year, value in zip(years, values, strict=True):
                        axis.annotate(
                            f"{value:.1f} %",
                            (year, value),
                            xytext=(0, 6),
                            textcoords="offset points",
                            ha="center",
                            fontsize=7.5,
                            color=colour,
                        )
