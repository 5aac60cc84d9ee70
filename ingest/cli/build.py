"""`tradewatch build`, `ingest` and `transform`: load the sources and run dbt."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ingest import pipeline
from ingest.cli.common import EXIT_CODES_HELP, TargetOption, reports_errors, settings_for
from ingest.cli.display import print_build, print_loads, progress_display
from ingest.console import console
from ingest.runlock import run_lock
from ingest.sources import SOURCES
from ingest.sources.base import SourceRequest

commands = typer.Typer()


@commands.command(epilog=EXIT_CODES_HELP)
@reports_errors
def build(
    live: Annotated[bool, typer.Option("--live", help="Fetch every source from its API.")] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Run dbt and publish even when nothing changed.")
    ] = False,
    target: TargetOption = None,
) -> None:
    """Ingest every source, run dbt build (models and tests), publish, print the goal summary."""
    settings = settings_for(target)
    with run_lock(settings, "build"), progress_display() as step:
        report = pipeline.build(settings, live=live, force=force, step=step)
    print_build(report, live=live)


# long only by its options: typer declares each in the signature; the body is 25 lines
@commands.command(epilog=EXIT_CODES_HELP)
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
    vintage: Annotated[
        str | None,
        typer.Option("--vintage", help="Retrieval date (YYYY-MM-DD) of a saved API answer."),
    ] = None,
    target: TargetOption = None,
) -> None:
    """Archive, validate and publish one source into raw_<source>."""
    if source not in SOURCES:
        raise typer.BadParameter(f"unknown source {source!r}; known: {', '.join(SOURCES)}")
    if vintage is not None and file is None:
        raise typer.BadParameter("--vintage dates a saved answer: use it with --file")
    request = SourceRequest(
        from_month=from_month,
        to_month=to_month,
        dataset=dataset,
        refresh=refresh,
        all_products=all_products,
        products=products,
        vintage=vintage,
    )
    settings = settings_for(target)
    with progress_display() as step:
        step(f"ingest {source}")
        try:
            results = pipeline.ingest_source(
                source, settings, live=live, file=file, request=request
            )
        except pipeline.ChunksFailed as error:
            if error.results:  # the chunks that did load stay loaded
                print_loads(error.results)
            raise
    print_loads(results)


@commands.command(epilog=EXIT_CODES_HELP)
@reports_errors
def transform(target: TargetOption = None) -> None:
    """Run dbt build: every model, snapshot, seed and test."""
    settings = settings_for(target)
    with progress_display() as step:
        step("dbt build (models and tests)")
        outcome = pipeline.build_models(settings)
    console.print(f"dbt build: {outcome.passed} nodes passed")
