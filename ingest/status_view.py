"""What `tradewatch status` shows: every source, each dataset's newest good load with any newer
attempt beside it, the freshness of the data against the publisher's calendar, and whether
anything is stale or failed (the command's exit code)."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime

import duckdb
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ingest import ledger, lineage
from ingest.console import SETTINGS
from ingest.query_output import output_width
from ingest.release_calendar import DataFreshness, data_freshness
from ingest.sources import SOURCES

STALE_OR_FAILED_EXIT_CODE = 1  # "bad input or data quality" in the shared exit-code table


@dataclass(frozen=True)
class DatasetStatus:
    source: str
    dataset: str
    vintage: str | None
    rows: int | None
    good_at: datetime | None  # the newest good load; None when none succeeded
    good_loads: int
    last_status: str  # the newest attempt: ok | skipped | failed
    last_at: datetime
    last_note: str | None  # the failure's error or the skip's reason

    @property
    def has_newer_failure(self) -> bool:
        return self.last_status == "failed"


@dataclass(frozen=True)
class StatusReport:
    datasets: list[DatasetStatus]
    never_loaded: list[str]
    freshness: list[DataFreshness]

    @property
    def problems(self) -> list[str]:
        failed = [
            f"{row.source}/{row.dataset} failed" for row in self.datasets if row.has_newer_failure
        ]
        stale = [f"{row.source} data is stale" for row in self.freshness if row.is_stale]
        return failed + stale


def read_status(con: duckdb.DuckDBPyConnection, today: date) -> StatusReport:
    datasets = [DatasetStatus(*row) for row in ledger.dataset_attempts(con)]
    loaded = {row.source for row in datasets if row.good_at is not None}
    attempted = {row.source for row in datasets}
    never = [name for name in SOURCES if name not in attempted]
    return StatusReport(datasets, never, data_freshness(con, loaded, today))


def _utc(moment: datetime | None) -> str:
    return "" if moment is None else f"{moment.astimezone(UTC):%Y-%m-%d %H:%M}"


def loads_table(report: StatusReport) -> Table:
    table = Table(
        "source",
        "dataset",
        "newest good load (UTC)",
        "vintage",
        "rows",
        "since then",
        title="loads: the newest good load of each dataset; a newer attempt beside it",
    )
    for row in report.datasets:
        good = _utc(row.good_at) if row.good_at else Text("never", style="red")
        table.add_row(
            Text(row.source),
            Text(row.dataset),
            good,
            Text(row.vintage or ""),
            "" if row.rows is None else f"{row.rows:,}",
            _since(row),
        )
    for name in report.never_loaded:
        how = "live only: " if lineage.is_live_only(name) else ""
        table.add_row(
            Text(name),
            "",
            Text("not loaded", style="yellow"),
            "",
            "",
            Text(f"{how}`{lineage.fill_command(name)}` loads it"),
        )
    return table


def _since(row: DatasetStatus) -> Text:
    """The newest attempt when it is not the good load itself: a skip or a failure."""
    if row.last_status == "ok":
        return Text("")
    note = f": {row.last_note}" if row.last_note else ""
    style = "red" if row.last_status == "failed" else "dim"
    return Text(f"{row.last_status} {_utc(row.last_at)}{note}", style=style)


def freshness_table(report: StatusReport) -> Table:
    table = Table(
        "source",
        "data through",
        "expected by now",
        "usual release",
        "data",
        title="data freshness: the latest period held against the publisher's calendar",
    )
    for row in report.freshness:
        if row.latest is None:
            verdict = Text("no rows", style="yellow")
        elif row.is_stale:
            unit = row.calendar.period + ("s" if row.periods_behind > 1 else "")
            verdict = Text(f"stale: {row.periods_behind} {unit} behind", style="red")
        else:
            verdict = Text("current", style="green")
        table.add_row(
            Text(row.source),
            row.show_period(row.latest),
            row.show_period(row.expected),
            Text(f"{row.calendar.describe_lag()} ({row.calendar.why})"),
            verdict,
        )
    return table


def wide_console() -> Console:
    """The terminal's width, or no limit when piped: a ledger line is never cut."""
    return Console(width=output_width(sys.stdout) or 10_000, **SETTINGS)


def print_report(console: Console, report: StatusReport) -> None:
    console.print(loads_table(report))
    console.print(freshness_table(report))
