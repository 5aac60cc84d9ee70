"""`tradewatch run`: the unattended build for cron, systemd and CI."""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from ingest import alerts, pipeline
from ingest.cli.common import TargetOption, print_error, settings_for
from ingest.errors import EXIT_CANT_WRITE, TradewatchError, cannot_write
from ingest.freshness import source_freshness
from ingest.run_log import BUG_EXIT_CODE, EXIT_MEANINGS, log_freshness, run_logging
from ingest.runlock import run_lock
from ingest.settings import Settings

commands = typer.Typer()
log = logging.getLogger("tradewatch.run")


@commands.command()
def run(
    live: Annotated[bool, typer.Option("--live", help="Fetch every source from its API.")] = False,
    log_dir: Annotated[
        Path | None,
        typer.Option("--log-dir", help="Folder for the run log (default: <warehouse>/logs)."),
    ] = None,
    freshness: Annotated[
        bool,
        typer.Option("--freshness/--no-freshness", help="Run `dbt source freshness` at the end."),
    ] = True,
    force: Annotated[
        bool, typer.Option("--force", help="Run dbt and publish even when nothing changed.")
    ] = False,
    target: TargetOption = None,
) -> None:
    """Unattended refresh for cron, systemd and CI, with exit codes that mean something.

    Takes the run lock, ingests every source, runs dbt build, publishes, checks source
    freshness, and logs to a file as well as the console. Then the tracked figures are compared
    with the previous build's: past a threshold, one alert through apprise (TRADEWATCH_NOTIFY_URLS),
    recorded in ops.alerts; a failed alert is retried next run and never changes the exit code.
    Exit codes: 0 ok, 1 bad input or data-quality failure (or a payload whose shape changed),
    2 usage error, 3 another run holds the lock, 70 a bug, 74 the warehouse, landing or
    publish folder cannot be written (disk full, read-only), 75 a source is unavailable
    (unreachable, refusing the key, or answering something that is not data): try later.
    """
    try:
        settings = settings_for(target)
    except TradewatchError as error:  # nothing to log to yet: one line on stderr
        print_error(error)
        raise typer.Exit(error.exit_code) from None
    started = datetime.now(UTC)
    folder = log_dir or settings.db_path.parent / "logs"
    log_path = folder / f"run-{started:%Y%m%dT%H%M%SZ}-{os.getpid()}.log"
    with run_logging(log_path, settings.secrets):
        code = _unattended(settings, live=live, freshness=freshness, force=force, log_path=log_path)
    raise typer.Exit(code)


def _unattended(
    settings: Settings, *, live: bool, freshness: bool, force: bool, log_path: Path
) -> int:
    """The build, alerts and freshness under the run lock; every outcome an exit code."""
    source = "live" if live else "bundled"
    log.info("run started: warehouse %s, %s sources, log %s", settings.db_path, source, log_path)
    try:
        with run_lock(settings, "run"):
            report = pipeline.build(settings, live=live, force=force)
            alerts.after_run(settings, new_snapshot=report.unchanged_since is None)
            if freshness:
                _check_freshness(settings)
    except TradewatchError as error:
        log.error("%s: %s", type(error).__name__, error)
        code = error.exit_code
        log.error("run failed: exit %d (%s)", code, EXIT_MEANINGS.get(code, "error"))
        return code
    except Exception as error:
        if (failure := cannot_write(error)) is not None:
            log.error("%s", failure)
            log.error("run failed: exit %d (%s)", failure.exit_code, EXIT_MEANINGS[EXIT_CANT_WRITE])
            return failure.exit_code
        log.exception("run failed: exit %d (%s)", BUG_EXIT_CODE, EXIT_MEANINGS[BUG_EXIT_CODE])
        return BUG_EXIT_CODE
    log.info("run finished: exit 0 (ok)")
    return 0


def _check_freshness(settings: Settings) -> None:
    try:
        rows = source_freshness(settings)
    except TradewatchError as error:
        log.warning("source freshness not checked: %s", error)
        return
    log_freshness(log, rows)
