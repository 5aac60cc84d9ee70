"""How the building commands show their work: a progress line, the loads, the publication
and the goal summary."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from ingest.console import console, errors
from ingest.http import download_progress
from ingest.loader import LoadResult
from ingest.pipeline import BuildReport, GoalSummary
from ingest.publish import Publication


@contextmanager
def progress_display() -> Iterator[Callable[[str], None]]:
    """A spinner line on stderr (download bars below it); yields the function that names the
    current step."""
    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeElapsedColumn(),
        console=errors,
        transient=True,
    )

    def bar_for(url: str) -> Callable[[int, int | None], None]:
        task = progress.add_task(f"download {url[:60]}", total=None)
        return lambda done, total: progress.update(task, completed=done, total=total)

    step = progress.add_task("", total=None, visible=False)

    def show(description: str) -> None:
        progress.update(step, description=description, visible=True)

    token = download_progress.set(bar_for)
    try:
        with progress:
            yield show
    finally:
        download_progress.reset(token)


def print_loads(results: list[LoadResult]) -> None:
    table = Table("source", "dataset", "status", "vintage", "rows")
    for result in results:
        table.add_row(
            result.source, result.dataset, result.status, result.vintage or "", f"{result.rows:,}"
        )
    console.print(table)


def print_build(report: BuildReport, *, live: bool) -> None:
    """What `tradewatch build` prints after the run lock is released."""
    print_loads(report.loads)
    if report.unchanged_since is not None:
        console.print(
            f"nothing changed since build {report.unchanged_since}: same payloads, same dbt "
            "project; dbt build and publish skipped"
        )
        print_goal(report.goal)
        return
    if report.dbt is not None:
        console.print(f"dbt build: {report.dbt.passed} nodes passed")
    for name in report.unloaded:
        hint = "the API returned no data" if live else "run with --live"
        console.print(f"{name}: not loaded; {hint}", style="yellow")
    print_publication(report.publication)
    print_goal(report.goal)


def print_publication(publication: Publication | None) -> None:
    if publication is None:
        console.print(
            "lake target: the marts are in the lake (readers attach it read-only); "
            "`tradewatch publish --postgres DSN` serves them to BI tools (deploy/lake.md)"
        )
        return
    manifest = publication.manifest
    marts = sum(1 for table in manifest["tables"] if table.startswith("marts."))
    console.print(
        f"published build {publication.build_id}: {publication.database} "
        f"({marts} marts as Parquet in {publication.parquet_dir}, storage "
        f"{manifest['storage_version']})"
    )


def print_goal(summary: GoalSummary | None) -> None:
    if summary is None:
        console.print("no month with a full trailing twelve months yet", style="yellow")
        return
    console.print()
    console.print(
        Text.assemble(
            ("U.S.–Turkey goods trade", "bold"),
            f" (Census basis, vintage {summary.vintage})\n"
            f"  latest month           {summary.latest_month:%Y-%m}\n"
            f"  trailing 12 months     ${summary.total_trade_t12m_usd / 1e9:,.1f} billion\n"
            f"  share of $100bn goal   {summary.pct_of_goal:.1f} %",
        )
    )
    for label, rate, year in (
        ("5-year growth       ", summary.cagr_5y_pct, summary.projected_goal_year),
        ("12-month growth     ", summary.t12m_yoy_pct, summary.projected_goal_year_t12m),
    ):
        if rate is not None:
            reached = year or "never at that rate"
            console.print(f"  {label}   {rate:.1f} % a year → goal reached: {reached}")
    for year, growth in summary.required_growth_pct.items():
        shown = "target year passed" if growth is None else f"{growth:.1f} % a year"
        console.print(f"  growth needed by {year}  {shown}")
