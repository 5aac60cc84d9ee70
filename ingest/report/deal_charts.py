"""Deal figures of the report: the register's pipeline by status and its timeline."""

from __future__ import annotations

from datetime import date
from typing import cast

import polars as pl
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from ingest.report.charts import INK, MUTED, position_in, shortened

STATUS_COLOURS = {
    "announced": "#9ecae1",
    "talks": "#6baed6",
    "signed": "#3182bd",
    "in_progress": "#31a354",
    "operational": "#006d2c",
    "stalled": "#fd8d3c",
    "cancelled": "#de2d26",
}


def pipeline(frame: pl.DataFrame, *, title: str) -> Figure:
    figure = Figure(figsize=(9, 3.6), layout="constrained")
    axis = figure.subplots()
    statuses = frame["status"].to_list()
    colours = [STATUS_COLOURS.get(status, MUTED) for status in statuses]
    axis.barh(statuses, frame["deals"], color=colours)
    axis.invert_yaxis()
    for status, count, value, estimated in frame.select(
        "status", "deals", "value_usd", "estimated_usd"
    ).iter_rows():
        shown = f"{count}" + (f"  (${value / 1e9:,.1f} bn disclosed" if value else "")
        if value:
            shown += f", ${estimated / 1e9:,.1f} bn of it estimates)" if estimated else ")"
        axis.annotate(
            shown,
            (count, status),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            color=INK,
        )
    axis.set_xlabel("deals")
    axis.xaxis.set_major_locator(MaxNLocator(integer=True))
    axis.set_xlim(0, max(cast(int | None, frame["deals"].max()) or 1, 1) * 1.35)
    axis.set_title(title)
    return figure


def timeline(history: pl.DataFrame, statuses: tuple[str, ...], *, today: date) -> Figure:
    deals = history.group_by("deal_id", maintain_order=True).agg(pl.col("title").first())
    height = max(3.0, 0.24 * deals.height + 1.2)
    figure = Figure(figsize=(9, height), layout="constrained")
    axis = figure.subplots()
    rows = {deal_id: index for index, deal_id in enumerate(deals["deal_id"])}
    seen: set[str] = set()
    for row in history.iter_rows(named=True):
        end = row["valid_to"] or today
        start = row["valid_from"]
        width = max((end - start).days, 12)
        colour = STATUS_COLOURS.get(row["status"], MUTED)
        label = row["status"] if row["status"] not in seen else None
        seen.add(row["status"])
        axis.barh(rows[row["deal_id"]], width, left=start, height=0.62, color=colour, label=label)
    axis.set_yticks(range(deals.height))
    axis.set_yticklabels([shortened(title, 58) for title in deals["title"]], fontsize=7)
    axis.invert_yaxis()
    handles, labels = axis.get_legend_handles_labels()
    ordered = sorted(
        zip(labels, handles, strict=True), key=lambda item: position_in(item[0], statuses)
    )
    axis.legend(
        [handle for _, handle in ordered],
        [label for label, _ in ordered],
        loc="upper left",
        bbox_to_anchor=(1.0, 1.0),
        fontsize=7.5,
    )
    axis.grid(axis="x", color="#e5e7eb", lw=0.6)
    axis.set_title("Status periods of each deal")
    return figure
