"""Matplotlib figures for the report, built without pyplot (no global state, no display).

Each function takes the frames its section read and returns a Figure; `add_caption` stamps
source, vintage and build time on it, so a PNG copied out of the report still says where
its numbers come from.
"""

from __future__ import annotations

import textwrap
from datetime import date
from typing import Any, cast

import polars as pl
from matplotlib.figure import Figure
from matplotlib.typing import RcKeyType

INK = "#1f2933"
MUTED = "#6b7280"
EXPORTS = "#2b6cb0"
IMPORTS = "#dd6b20"
GOAL = "#c53030"
RC: dict[RcKeyType, Any] = {
    "text.parse_math": False,  # register text with "$" must stay text, not mathtext
    "svg.fonttype": "none",  # SVG text stays text: searchable, and escaped by matplotlib
    "svg.hashsalt": "tradewatch",  # stable element ids from one build to the next
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": MUTED,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "legend.frameon": False,
}


def trade_goal(
    monthly: pl.DataFrame,
    latest: dict[str, Any],
    scenarios: pl.DataFrame,
    nowcast: dict[str, Any] | None = None,
) -> Figure:
    figure = Figure(figsize=(9, 6.6), layout="constrained")
    top, bottom = figure.subplots(2, 1, height_ratios=(3, 2))
    _goal_panel(top, monthly, latest, scenarios, nowcast)
    _monthly_bars(bottom, monthly)
    return figure


def _goal_panel(
    top: Any,
    monthly: pl.DataFrame,
    latest: dict[str, Any],
    scenarios: pl.DataFrame,
    nowcast: dict[str, Any] | None,
) -> None:
    """The trailing twelve months since 2000 against the goal, and each scenario's path."""
    recent = monthly.filter(pl.col("month_date") >= date(2000, 1, 1))
    t12m = recent.filter(pl.col("t12m").is_not_null())
    top.plot(
        t12m["month_date"],
        t12m["t12m"] / 1e9,
        color=INK,
        lw=1.8,
        label="total trade (exports + imports), trailing 12 months",
    )
    goal_bn = latest["goal"] / 1e9
    top.axhline(goal_bn, color=GOAL, lw=1.2, ls="--", label=f"goal: ${goal_bn:,.0f} billion a year")
    start = latest["month_date"]
    level_bn = latest["t12m"] / 1e9
    top.plot([start], [level_bn], "o", color=INK)
    top.annotate(
        f"${level_bn:,.1f} bn in the 12 months to {start:%Y-%m}",
        (start, level_bn),
        xytext=(-8, 0),
        textcoords="offset points",
        ha="right",
        va="center",
        color=INK,
    )
    needed = _scenario_paths(top, latest, scenarios, goal_bn)
    if needed:
        top.text(
            0.01,
            0.66 if nowcast is not None else 0.72,
            "Growth needed to reach the goal\n" + "\n".join(needed),
            transform=top.transAxes,
            va="top",
            fontsize=8,
            color=GOAL,
        )
    if nowcast is not None:
        _nowcast_range(top, nowcast)
    top.set_ylabel("USD billion")
    top.set_ylim(0, goal_bn * (1.38 if nowcast is not None else 1.18))  # room for the legend
    top.set_title("Trailing twelve months against the goal, and the growth each scenario needs")
    top.legend(loc="upper left", bbox_to_anchor=(0, 1.0))
    top.grid(axis="y", color="#e5e7eb", lw=0.6)


def _scenario_paths(
    top: Any, latest: dict[str, Any], scenarios: pl.DataFrame, goal_bn: float
) -> list[str]:
    """A dotted path to the goal per target year still reachable; returns their labels."""
    start = latest["month_date"]
    needed = []
    for index, (year, growth) in enumerate(scenarios.iter_rows()):
        if growth is None:
            continue
        xs, ys = _growth_path(start, latest["t12m"], growth, year)
        top.plot(xs, [value / 1e9 for value in ys], color=GOAL, lw=1.0, ls=":")
        top.annotate(
            str(year),
            (xs[-1], goal_bn),
            xytext=(0, 4 + 9 * (index % 2)),
            textcoords="offset points",
            ha="center",
            fontsize=7.5,
            color=GOAL,
        )
        needed.append(f"by {year}: {growth:.1f} % a year")
    return needed


def _monthly_bars(bottom: Any, monthly: pl.DataFrame) -> None:
    """Exports and imports stacked, month by month since 2015."""
    bars = monthly.filter(pl.col("month_date") >= date(2015, 1, 1))
    bottom.bar(
        bars["month_date"],
        bars["exports"] / 1e9,
        width=25,
        color=EXPORTS,
        label="U.S. exports to Turkey",
    )
    bottom.bar(
        bars["month_date"],
        bars["imports"] / 1e9,
        width=25,
        bottom=bars["exports"] / 1e9,
        color=IMPORTS,
        label="U.S. imports from Turkey",
    )
    bottom.set_ylabel("USD billion a month")
    bottom.set_title("Monthly trade since 2015")
    bottom.legend(loc="upper left", ncols=2)
    bottom.grid(axis="y", color="#e5e7eb", lw=0.6)


def _nowcast_range(axes: Any, nowcast: dict[str, Any]) -> None:
    """The calendar year's nowcast sits at its December, where the trailing twelve months
    are the calendar year; the bar is the 80 % interval."""
    december = date(nowcast["year"], 12, 1)
    value_bn = nowcast["nowcast"] / 1e9
    low_bn, high_bn = (nowcast[key] / 1e9 if nowcast[key] else value_bn for key in ("low", "high"))
    axes.errorbar(
        [december],
        [value_bn],
        yerr=[[value_bn - low_bn], [high_bn - value_bn]],
        fmt="D",
        color=EXPORTS,
        ecolor=EXPORTS,
        elinewidth=2.5,
        capsize=4,
        ms=5,
        label=f"{nowcast['year']} nowcast with its 80 % interval (months to "
        f"{nowcast['as_of_month']:%Y-%m}, {nowcast['method']} method)",
    )
    axes.annotate(
        f"{nowcast['year']} nowcast: ${value_bn:,.1f} bn\n80 %: ${low_bn:,.1f}–{high_bn:,.1f} bn",
        (december, low_bn),
        xytext=(10, -4),
        textcoords="offset points",
        ha="left",
        va="top",
        fontsize=7.5,
        color=EXPORTS,
    )


def _growth_path(
    start: date, level: float, growth_pct: float, target_year: int
) -> tuple[list[date], list[float]]:
    """Monthly points from `start` to December of the target year at constant growth."""
    xs, ys = [], []
    months = (target_year - start.year) * 12 + (12 - start.month)
    for step in range(months + 1):
        month_index = start.month - 1 + step
        xs.append(date(start.year + month_index // 12, month_index % 12 + 1, 1))
        ys.append(level * (1 + growth_pct / 100) ** (step / 12))
    return xs, ys


def turkey_rank(turkey: pl.DataFrame) -> Figure:
    figure = Figure(figsize=(9, 4.4), layout="constrained")
    rank_axis = figure.subplots()
    share_axis = rank_axis.twinx()
    share_axis.bar(
        turkey["year"],
        turkey["share_of_us_total_pct"],
        color="#cbd5e0",
        label="share of total U.S. goods trade, % (bars, right axis)",
    )
    share_axis.set_ylabel("share of U.S. goods trade, %")
    share_axis.spines["right"].set_visible(True)
    rank_axis.set_zorder(share_axis.get_zorder() + 1)  # the line over the bars
    rank_axis.patch.set_visible(False)
    rank_axis.plot(
        turkey["year"],
        turkey["rank_by_total"],
        "o-",
        color=GOAL,
        lw=1.6,
        ms=3.5,
        label="rank by total trade, 1 = largest partner (line, left axis)",
    )
    rank_axis.invert_yaxis()
    rank_axis.set_ylabel("rank among U.S. partner countries")
    last = turkey.row(-1, named=True)
    rank_axis.annotate(
        f"#{last['rank_by_total']} of {last['partners']} in {last['year']}",
        (last["year"], last["rank_by_total"]),
        xytext=(-8, -16),
        textcoords="offset points",
        ha="right",
        color=GOAL,
    )
    lines, labels = rank_axis.get_legend_handles_labels()
    bars, bar_labels = share_axis.get_legend_handles_labels()
    rank_axis.legend(
        lines + bars,
        labels + bar_labels,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.08),
        ncols=2,
        fontsize=8,
    )
    rank_axis.set_title("Turkey among U.S. trading partners, by total goods trade")
    return figure


def revisions(frame: pl.DataFrame) -> Figure:
    """The largest revisions as horizontal bars, USD million (new release minus previous)."""
    figure = Figure(figsize=(9, 1.2 + 0.3 * max(frame.height, 1)), layout="constrained")
    axes = figure.subplots()
    positions = list(range(frame.height))
    values = frame["revision_musd"].to_list()
    axes.barh(positions, values, color=[EXPORTS if value >= 0 else GOAL for value in values])
    axes.set_yticks(positions, [shortened(label, 60) for label in frame["label"]])
    axes.invert_yaxis()
    axes.axvline(0, color=MUTED, lw=0.8)
    axes.set_xlabel("revision, USD million (the release's value minus the previous release's)")
    axes.set_title("Largest U.S.–Turkey revisions")
    axes.grid(axis="x", color="#e5e7eb", lw=0.6)
    return figure


def add_caption(figure: Figure, caption: str) -> None:
    """Source, vintage and build time under the chart (a suplabel: the layout makes room)."""
    figure.supxlabel(
        "\n".join(textwrap.wrap(caption, 160)), x=0.005, ha="left", fontsize=6.5, color=MUTED
    )


def consecutive_runs(frame: pl.DataFrame, column: str) -> list[tuple[list[int], list[float]]]:
    """Runs of consecutive years: a line never bridges a year with no data."""
    runs: list[tuple[list[int], list[float]]] = []
    for year, value in frame.sort("year").select("year", column).iter_rows():
        if runs and runs[-1][0][-1] == year - 1:
            runs[-1][0].append(year)
            runs[-1][1].append(value)
        else:
            runs.append(([year], [value]))
    return runs


def values_by_year(frame: pl.DataFrame, years: list[int], column: str) -> list[float]:
    values = dict(zip(frame["year"], frame[column], strict=True))
    return [float(values.get(year) or 0.0) for year in years]


def position_in(value: str, order: tuple[str, ...]) -> int:
    return order.index(value) if value in order else len(order)


def shortened(text: str | None, width: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= width else text[: width - 1] + "…"


def column_max(column: pl.Series) -> float:
    """A numeric column's largest value (polars types `max()` as any Python value)."""
    return cast(float, column.max())
