"""`tradewatch query`: SQL on the published copy.

The one command an analyst runs many times a minute, so its imports stay small: no polars,
httpx, dbt or Great Expectations (tests/ingest/test_query_imports.py holds it to that).
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.text import Text

from ingest import access, query_output
from ingest.cli.common import EXIT_CODES_HELP, reports_errors
from ingest.console import errors
from ingest.query_output import OutputFormat
from ingest.settings import Settings

commands = typer.Typer()


@commands.command(epilog=EXIT_CODES_HELP)
@reports_errors
def query(
    sql: Annotated[str, typer.Argument(help="A read-only SQL query, e.g. 'from marts.countries'.")],
    output: Annotated[OutputFormat, typer.Option("--format", help="Output format.")] = (
        OutputFormat.table
    ),
) -> None:
    """Run SQL on the published copy: read-only, no files outside it, capped memory, temp
    space and time (TRADEWATCH_QUERY_*)."""
    settings = Settings.from_env()
    if output is OutputFormat.csv:
        result: query_output.Tabular = access.query_for_csv(settings, sql)
    else:
        result = access.run_query(settings, sql)
    query_output.write(result, output)
    if not result.height:
        # deferred: lineage reads the source registry, whose import (polars, httpx, ...) took
        # 3.4 s measured; only an empty result needs it, a query with rows must not pay for it
        from ingest import lineage

        database = str(access.query_database(settings))
        hint = lineage.empty_result_hint(settings, sql, database)
        if hint:
            errors.print(Text(f"hint: {hint}"), soft_wrap=True)
