"""`tradewatch publish`: the read-only copy, or the marts served from PostgreSQL."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.text import Text

from ingest import publish, serving
from ingest.cli.common import EXIT_CODES_HELP, TargetOption, reports_errors, settings_for
from ingest.cli.display import print_publication, progress_display
from ingest.console import console
from ingest.runlock import run_lock
from ingest.settings import Settings

commands = typer.Typer()


@commands.command("publish", epilog=EXIT_CODES_HELP)
@reports_errors
def publish_copy(
    force: Annotated[
        bool, typer.Option("--force", help="Publish even if the last dbt build failed.")
    ] = False,
    storage_version: Annotated[
        str | None,
        typer.Option(
            "--storage-version",
            help="DuckDB storage version of the copy, e.g. v1.4.0 for BI tools that embed an "
            "older DuckDB (default: TRADEWATCH_PUBLISH_STORAGE_VERSION, else DuckDB's own).",
        ),
    ] = None,
    postgres: Annotated[
        str | None,
        typer.Option(
            "--postgres",
            envvar="TRADEWATCH_SERVING_DSN",
            show_envvar=True,
            help="Serve every mart in schema `marts` of this PostgreSQL database instead "
            "(libpq DSN), swapped in one transaction (docs/bi.md).",
        ),
    ] = None,
    grant_to: Annotated[
        str | None,
        typer.Option("--grant-to", help="With --postgres: let this role read the new marts."),
    ] = None,
    target: TargetOption = None,
) -> None:
    """Publish the read-only copy: DuckDB file, Parquet per mart, manifest.json.

    Written next to the warehouse in published/ and swapped in atomically; `tradewatch build`
    does this itself after a successful build. With --postgres, serve the marts from
    PostgreSQL instead (either target).
    """
    settings = settings_for(target)
    if postgres:
        _serve(settings, postgres, grant_to)
        return
    with run_lock(settings, "publish"):
        publication = publish.publish(settings, force=force, storage_version=storage_version)
    print_publication(publication)


def _serve(settings: Settings, dsn: str, grant_to: str | None) -> None:
    with progress_display() as step:
        step("serve the marts from PostgreSQL")
        served = serving.publish_postgres(settings, dsn, grant_to=grant_to)
    rows = sum(served.rows.values())
    console.print(
        Text(
            f"served publication {served.publication_id}: {len(served.rows)} marts, "
            f"{rows} rows in schema marts of PostgreSQL"
        )
    )
