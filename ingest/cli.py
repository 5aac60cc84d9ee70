"""`tradewatch`: the command line. The only module that talks to the user."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from ingest.errors import TradewatchError
from ingest.http import download_progress
from ingest.loader import LoadResult
from ingest.settings import Settings
from ingest.sources import SOURCES

app = typer.Typer(
    help="tradewatch: U.S.–Turkey trade, rare-earth flows and announced deals in DuckDB.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()
errors = Console(stderr=True)
F = TypeVar("F", bound=Callable[..., Any])


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


@app.callback()
def main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log every step.")] = False,
) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(message)s",
        handlers=[RichHandler(console=errors, show_path=False)],
    )


def reports_errors(command: F) -> F:
    """Turn tradewatch's own errors into a one-line message and the documented exit code."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except TradewatchError as error:
            errors.print(f"[bold red]error:[/] {error}", highlight=False, soft_wrap=True)
            raise typer.Exit(error.exit_code) from None

    return wrapper  # type: ignore[return-value]


@contextmanager
def progress_display() -> Iterator[Progress]:
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

    token = download_progress.set(bar_for)
    try:
        with progress:
            yield progress
    finally:
        download_progress.reset(token)


@app.command()
@reports_errors
def build(
    live: Annotated[bool, typer.Option("--live", help="Fetch every source from its API.")] = False,
) -> None:
    """Ingest every source, run dbt build (models and tests), and print the goal summary."""
    from ingest import pipeline, transform

    settings = Settings.from_env()
    with progress_display() as progress:
        task = progress.add_task("ingest all sources", total=None)
        results = pipeline.ingest_all(settings, live=live)
        progress.update(task, description="dbt build (models and tests)")
        outcome = transform.build_models(settings)
    _print_loads(results)
    console.print(f"dbt build: {outcome.passed} nodes passed")
    for name in pipeline.unloaded_sources(settings):
        hint = "the API returned no data" if live else "run with --live"
        console.print(f"[yellow]{name}: not loaded; {hint}[/]")
    _print_summary(settings)


@app.command()
@reports_errors
def ingest(
    source: Annotated[str, typer.Argument(help=f"One of: {', '.join(SOURCES)}.")],
    live: Annotated[bool, typer.Option("--live", help="Fetch from the public API.")] = False,
    file: Annotated[
        Path | None, typer.Option("--file", help="Load this file instead of the bundled one.")
    ] = None,
    from_month: Annotated[
        str | None, typer.Option("--from", help="First month (YYYY-MM), chunked sources.")
    ] = None,
    to_month: Annotated[
        str | None, typer.Option("--to", help="Last month (YYYY-MM), chunked sources.")
    ] = None,
    dataset: Annotated[
        str | None, typer.Option("--dataset", help="Only this dataset of the source.")
    ] = None,
    refresh: Annotated[
        bool,
        typer.Option("--refresh", help="Chunked sources: fetch loaded chunks again (revisions)."),
    ] = False,
    all_products: Annotated[
        bool,
        typer.Option("--all-products", help="Keep every HS code, not only the rare-earth basket."),
    ] = False,
    products: Annotated[
        str | None,
        typer.Option("--products", help="Keep only these HS6 codes (comma-separated)."),
    ] = None,
) -> None:
    """Archive, validate and publish one source into raw_<source>."""
    from ingest import pipeline

    if source not in SOURCES:
        raise typer.BadParameter(f"unknown source {source!r}; known: {', '.join(SOURCES)}")
    options = {
        key: value
        for key, value in {
            "from_month": from_month,
            "to_month": to_month,
            "dataset": dataset,
            "refresh": refresh or None,
            "all_products": all_products or None,
            "products": products,
        }.items()
        if value is not None
    }
    settings = Settings.from_env()
    with progress_display() as progress:
        progress.add_task(f"ingest {source}", total=None)
        try:
            results = pipeline.ingest_source(
                source, settings, live=live, file=file, options=options
            )
        except pipeline.ChunksFailed as error:
            _print_loads(error.results)  # the chunks that did load stay loaded
            raise
    _print_loads(results)


@app.command()
@reports_errors
def transform() -> None:
    """Run dbt build: every model, snapshot, seed and test."""
    from ingest import transform as dbt

    settings = Settings.from_env()
    with progress_display() as progress:
        progress.add_task("dbt build (models and tests)", total=None)
        outcome = dbt.build_models(settings)
    console.print(f"dbt build: {outcome.passed} nodes passed")


@app.command()
@reports_errors
def status() -> None:
    """Last load per source and dataset, and any failed expectations."""
    from ingest import warehouse

    settings = Settings.from_env()
    if not settings.db_path.exists():
        raise TradewatchError(f"{settings.db_path}: no warehouse yet; run `tradewatch build`")
    with warehouse.connect(settings.db_path, read_only=True) as con:
        loads = con.execute(STATUS_SQL).fetchall()
        failed = con.execute(FAILED_EXPECTATIONS_SQL).fetchall()
    table = Table("source", "dataset", "status", "vintage", "rows", "finished (UTC)", "error")
    for row in loads:
        table.add_row(*(str(value) if value is not None else "" for value in row))
    console.print(table)
    if failed:
        console.print(f"[red]{len(failed)} failed expectation(s) in the latest loads:[/]")
        for source, dataset, expectation, column, sample in failed:
            console.print(f"  {source}/{dataset}: {expectation} {column or ''} {sample or ''}")


STATUS_SQL = """
select source, dataset, status, vintage, row_count,
       strftime(finished_at at time zone 'UTC', '%Y-%m-%d %H:%M'), error
from ops.loads
qualify row_number() over (partition by source, dataset order by finished_at desc) = 1
order by source, dataset
"""
FAILED_EXPECTATIONS_SQL = """
with latest as (
    select * from ops.loads
    qualify row_number() over (partition by source, dataset order by finished_at desc) = 1
)
select latest.source, latest.dataset, results.expectation_type, results.column_name,
       results.unexpected_sample
from ops.data_quality_results as results
inner join latest on results.load_id = latest.load_id
where not results.success
"""


@app.command()
@reports_errors
def query(
    sql: Annotated[str, typer.Argument(help="A read-only SQL query, e.g. 'from marts.countries'.")],
    output: Annotated[OutputFormat, typer.Option("--format", help="Output format.")] = (
        OutputFormat.table
    ),
) -> None:
    """Run SQL on a read-only connection that cannot touch files outside the warehouse."""
    from ingest import access

    settings = Settings.from_env()
    frame = access.run_query(settings, sql)
    if output is OutputFormat.csv:
        sys.stdout.write(frame.write_csv())
    elif output is OutputFormat.json:
        sys.stdout.write(frame.write_json() + "\n")
    else:
        table = Table(*frame.columns)
        for row in frame.iter_rows():
            table.add_row(*("" if value is None else str(value) for value in row))
        console.print(table)


def _print_loads(results: list[LoadResult]) -> None:
    table = Table("source", "dataset", "status", "vintage", "rows")
    for result in results:
        table.add_row(
            result.source, result.dataset, result.status, result.vintage or "", f"{result.rows:,}"
        )
    console.print(table)


def _print_summary(settings: Settings) -> None:
    from ingest import pipeline

    summary = pipeline.goal_summary(settings.db_path)
    if summary is None:
        console.print("[yellow]no month with a full trailing twelve months yet[/]")
        return
    console.print(
        f"\n[bold]U.S.–Turkey goods trade[/] (Census basis, vintage {summary.vintage})\n"
        f"  latest month           {summary.latest_month:%Y-%m}\n"
        f"  trailing 12 months     ${summary.total_trade_t12m_usd / 1e9:,.1f} billion\n"
        f"  share of $100bn goal   {summary.pct_of_goal:.1f} %"
    )
    if summary.cagr_5y_pct is not None:
        reached = summary.projected_goal_year or "never at that rate"
        console.print(
            f"  5-year growth          {summary.cagr_5y_pct:.1f} % a year → goal reached: {reached}"
        )
    for year, growth in summary.required_growth_pct.items():
        shown = "target year passed" if growth is None else f"{growth:.1f} % a year"
        console.print(f"  growth needed by {year}  {shown}")


# `tradewatch deals …` lives in its own module; imported last because it uses the helpers above
from ingest.deals_cli import deals_app  # noqa: E402

app.add_typer(deals_app, name="deals")
