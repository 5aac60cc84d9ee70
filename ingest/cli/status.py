"""`tradewatch status`: the ledger, data freshness, failed expectations, the published build."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ingest import runlock, status_view, warehouse
from ingest.cli.common import reports_errors
from ingest.errors import TradewatchError
from ingest.freshness import source_freshness
from ingest.ledger import failed_expectations
from ingest.publish import published_database, read_manifest
from ingest.settings import Settings

commands = typer.Typer()


@commands.command()
@reports_errors
def status(
    freshness: Annotated[
        bool,
        typer.Option(
            "--freshness/--no-freshness", help="Also check load times (`dbt source freshness`)."
        ),
    ] = True,
) -> None:
    """Every source and dataset, data freshness, failed expectations, the published build.

    Lists each dataset's newest good load with any newer attempt beside it (a skip, or a
    failure with its error), sources never loaded, and the latest period each source holds
    against its publisher's usual release lag. Exit codes: 0 everything current, 1 a
    dataset's newest attempt failed or a source's data (or load) is stale, 2 usage error,
    3 the warehouse is locked by another process.
    """
    settings = Settings.from_env()
    out = status_view.wide_console()
    if not warehouse.exists(settings.db_path):
        raise TradewatchError(f"{settings.db_path}: no warehouse yet; run `tradewatch build`")
    holder = runlock.current_holder(settings)
    ledger = settings.db_path
    if holder is not None:
        out.print(Text(f"a run is in progress: {holder.describe()}", style="yellow"))
        published = published_database(settings)
        ledger = published if published.exists() else ledger
        out.print(Text(f"ledger as of the last publish ({ledger})"))
    with warehouse.connect(ledger, read_only=True) as con:
        report = status_view.read_status(con, datetime.now(UTC).date())
        failed = failed_expectations(con)
    status_view.print_report(out, report)
    problems = report.problems
    if failed:
        out.print(Text(f"{len(failed)} failed expectation(s) in the latest loads:", "red"))
        for source, dataset, expectation, column, sample in failed:
            out.print(Text(f"  {source}/{dataset}: {expectation} {column or ''} {sample or ''}"))
    _print_published(settings, out)
    if freshness and holder is not None:
        out.print(Text("load freshness skipped while the run holds the warehouse", "yellow"))
    elif freshness:
        problems += _print_freshness(settings, out)
    if problems:
        out.print(Text(f"status: {'; '.join(problems)}", style="bold red"))
        raise typer.Exit(status_view.STALE_OR_FAILED_EXIT_CODE)


def _print_published(settings: Settings, out: Console) -> None:
    manifest = read_manifest(settings)
    if manifest is None:
        out.print(
            Text.assemble(
                ("nothing published yet", "yellow"), ": `tradewatch build` publishes a copy"
            )
        )
        return
    dbt = manifest.get("dbt") or {}
    checks = manifest.get("expectations") or {}
    out.print(
        f"published: build {manifest['build_id']} at {manifest['built_at']}; dbt "
        f"{dbt.get('passed', '?')} passed / {dbt.get('failed', '?')} failed; expectations "
        f"{checks.get('passed', '?')} passed / {checks.get('failed', '?')} failed"
    )


def _print_freshness(settings: Settings, out: Console) -> list[str]:
    """Load freshness from `dbt source freshness`; returns the source tables past error."""
    rows = source_freshness(settings)
    table = Table(
        "source table",
        "load",
        "newest load (UTC)",
        "age",
        "warn / error after",
        title="load freshness: when each source table was last loaded",
    )
    colours = {"pass": "green", "warn": "yellow"}
    for row in rows:
        age = "" if row.age_hours is None else _age(row.age_hours)
        table.add_row(
            Text(f"{row.source}.{row.table}"),
            Text(row.status, style=colours.get(row.status, "red")),
            (row.max_loaded_at or "")[:16].replace("T", " "),
            age,
            f"{row.warn_after or '-'} / {row.error_after or '-'}",
        )
    out.print(table)
    return [
        f"{row.source}.{row.table} load is {row.status}"
        for row in rows
        if row.status not in ("pass", "warn")
    ]


def _age(hours: float) -> str:
    return f"{hours:,.1f} h" if hours < 48 else f"{hours / 24:,.1f} d"
