"""`tradewatch diff`: what the newest load changed."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import polars as pl
import typer
from rich.table import Table
from rich.text import Text

from ingest import changes
from ingest.cli.common import reports_errors
from ingest.console import console
from ingest.query_output import OutputFormat
from ingest.settings import Settings

commands = typer.Typer()


@commands.command()
@reports_errors
def diff(
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help="Compare with the state before this release arrived (e.g. 2024-06 or "
            "'census-country 2024-06'); default: the previous build.",
        ),
    ] = None,
    output: Annotated[OutputFormat, typer.Option("--format", help="Output format.")] = (
        OutputFormat.table
    ),
    limit: Annotated[int, typer.Option("--limit", min=0, help="Revisions to list.")] = 10,
) -> None:
    """What the newest load changed: tracked figures and the largest revisions of new releases."""
    settings = Settings.from_env()
    result = changes.compute(settings.db_path, since=since, limit=limit)
    rows = changes.records(result)
    if output is OutputFormat.csv:
        sys.stdout.write(pl.DataFrame(rows, schema=list(changes.RECORD_FIELDS)).write_csv())
    elif output is OutputFormat.json:
        summary = {"summary": changes.headline(result), "new_releases": result.new_releases}
        sys.stdout.write(json.dumps({**summary, "changes": rows}, default=str) + "\n")
    else:
        console.print(Text(changes.headline(result)))
        table = Table(*changes.TABLE_FIELDS)
        for row in rows:
            table.add_row(*(Text(_cell(row[name])) for name in changes.TABLE_FIELDS))
        console.print(table)


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() and abs(value) >= 100 else f"{value:,.4g}"
    return "" if value is None else str(value)
