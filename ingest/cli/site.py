"""`tradewatch report` and `tradewatch docs`: the static HTML report and the dbt docs site."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from ingest import dbt_docs
from ingest.cli.common import reports_errors
from ingest.console import console
from ingest.report import render_report
from ingest.runlock import run_lock
from ingest.settings import Settings

commands = typer.Typer()


@commands.command()
@reports_errors
def report(
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Output folder (default: <warehouse>/report)."),
    ] = None,
) -> None:
    """Render the static HTML report and PNG charts from the published warehouse.

    One self-contained index.html (no network, no script) and a PNG per chart.
    """
    settings = Settings.from_env()
    result = render_report(settings, out)
    console.print(f"report: {result.html_path}")
    for png in result.charts.values():
        console.print(f"  chart: {png}")
    for key, reason in result.missing.items():
        console.print(
            Text.assemble("  ", ("not available in this build", "yellow"), f" {key}: {reason}")
        )


@commands.command()
@reports_errors
def docs(
    port: Annotated[int, typer.Option("--port", help="Port on 127.0.0.1.")] = 8080,
    serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve the site after generating it.")
    ] = True,
) -> None:
    """Generate the dbt docs site and serve it on http://127.0.0.1:PORT (Ctrl-C stops)."""
    settings = Settings.from_env()
    with run_lock(settings, "docs"):
        site = dbt_docs.generate(settings)
    console.print(f"dbt docs: {site.folder} (single file: {site.static_page})")
    if not serve:
        return
    server = dbt_docs.make_server(site, port)
    console.print(f"serving on http://127.0.0.1:{server.server_address[1]}/ (Ctrl-C stops)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
