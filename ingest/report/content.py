"""What a report section is made of (a chart, a caption, tables) and how its numbers are
written, shared by the trade, rare-earth and deals sections."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import polars as pl
from matplotlib.figure import Figure

from ingest.report.marts import BuildInfo, MartReader, Missing

STAGE_ORDER = ("ore", "compound", "metal", "magnet")
STATUS_ORDER = (
    "announced",
    "talks",
    "signed",
    "in_progress",
    "operational",
    "stalled",
    "cancelled",
)


@dataclass(frozen=True)
class Table:
    caption: str
    headers: tuple[str, ...]
    rows: list[tuple[str, ...]]
    links: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) -> URL


@dataclass
class Section:
    key: str
    title: str
    intro: str
    needs: tuple[str, ...]
    figure: Figure | None = None
    caption: str = ""
    tables: list[Table] = field(default_factory=list)
    missing: Missing | None = None


# draws a section whose required marts are present, or says what else it lacks
Fill = Callable[[Section, MartReader, BuildInfo], Missing | None]


def built(build: BuildInfo) -> str:
    if build.build_id:
        return f"Built {build.built_at} (build {build.build_id})."
    return f"Built {build.built_at} (unpublished warehouse)."


def build_date(build: BuildInfo) -> date:
    try:
        return date.fromisoformat(build.built_at[:10])
    except ValueError:
        return date.today()


def total(values: pl.Series) -> float | None:
    """The sum, or None when every value is null (nothing disclosed is not $0)."""
    return None if values.null_count() == values.len() else float(values.sum())


def first_missing(*checks: Missing | None) -> Missing | None:
    return next((check for check in checks if check is not None), None)


def vintage_spans(frame: pl.DataFrame, month_column: str) -> str:
    spans = (
        frame.group_by("vintage")
        .agg(pl.col(month_column).min().alias("first"), pl.col(month_column).max().alias("last"))
        .sort("first")
    )
    return "; ".join(
        f"{row['vintage']} (months {row['first']:%Y-%m} to {row['last']:%Y-%m})"
        for row in spans.iter_rows(named=True)
    )


def in_order(frame: pl.DataFrame, column: str, order: tuple[str, ...]) -> pl.DataFrame:
    rank = {value: index for index, value in enumerate(order)}
    position = pl.col(column).replace_strict(rank, default=len(order), return_dtype=pl.Int64)
    return frame.with_columns(position.alias("_rank")).sort("_rank", column).drop("_rank")


def usd_bn(value: float | None, *, none: str = "not disclosed") -> str:
    if value is None:
        return none
    if abs(value) >= 1e9:
        return f"${value / 1e9:,.1f} billion"
    return f"${value / 1e6:,.1f} million"


def pct(value: float | None, *, digits: int = 1, none: str = "n/a") -> str:
    return none if value is None else f"{value:.{digits}f} %"


def number(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.0f}"


def text(value: object) -> str:
    return "" if value is None else str(value)
