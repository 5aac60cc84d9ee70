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
from rich.text import Text

from ingest.console import console, errors
from ingest.errors import (
    EXIT_BAD_INPUT,
    EXIT_CANT_WRITE,
    EXIT_LOCKED,
    EXIT_OK,
    EXIT_SOFTWARE,
    EXIT_TEMPFAIL,
    EXIT_USAGE,
    TradewatchError,
    cannot_write,
)
from ingest.http import download_progress
from ingest.loader import LoadResult
from ingest.query_output import OutputFormat
from ingest.settings import Settings
from ingest.sources import SOURCES
from ingest.sources.base import SourceRequest

app = typer.Typer(
    help="tradewatch: U.S.–Turkey trade, rare-earth flows and announced deals in DuckDB.",
    no_args_is_help=True,
    add_completion=False,
)
# one console for every command: data and user text print literally (ingest/console.py)
F = TypeVar("F", bound=Callable[..., Any])


class Target(StrEnum):
    local = "local"
    lake = "lake"


TargetOption = Annotated[
    Target | None,
    typer.Option(
        "--target",
        help="local: the DuckDB file (default); lake: DuckLake with a PostgreSQL catalog "
        "(TRADEWATCH_LAKE_CATALOG, TRADEWATCH_LAKE_DATA_PATH; deploy/lake.md). "
        "Default: TRADEWATCH_TARGET, else local.",
    ),
]


def settings_for(target: Target | None) -> Settings:
    """The settings, with `--target` winning over TRADEWATCH_TARGET (and passed on to dbt)."""
    import os

    if target is not None:
        os.environ["TRADEWATCH_TARGET"] = target.value
    return Settings.from_env()


@app.callback()
def main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log every step.")] = False,
) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(message)s",
        handlers=[RichHandler(console=errors, show_path=False)],
    )


EXIT_CODES_HELP = (
    f"Exit codes: {EXIT_OK} ok, {EXIT_BAD_INPUT} bad input or data quality, {EXIT_USAGE} usage "
    f"error, {EXIT_LOCKED} warehouse or run lock held, {EXIT_CANT_WRITE} cannot write the "
    f"warehouse, landing or publish folder, {EXIT_TEMPFAIL} source unavailable (try later). "
    "Table: docs/reliability.md."
)


def reports_errors(command: F) -> F:
    """Turn tradewatch's own errors into a one-line message and the documented exit code."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except TradewatchError as error:
            _print_error(error)
            raise typer.Exit(error.exit_code) from None
        except Exception as error:  # a full disk or read-only folder, wherever it surfaced
            if (failure := cannot_write(error)) is None:
                raise
            _print_error(failure)
            raise typer.Exit(failure.exit_code) from None

    return wrapper  # type: ignore[return-value]


def _print_error(error: TradewatchError) -> None:
    """One line, the error's text printed literally (it may quote data: `[/x]` is text)."""
    errors.print(Text.assemble(("error:", "bold red"), " ", str(error)), soft_wrap=True)


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


@app.command(epilog=EXIT_CODES_HELP)
@reports_errors
def build(
    live: Annotated[bool, typer.Option("--live", help="Fetch every source from its API.")] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Run dbt and publish even when nothing changed.")
    ] = False,
    target: TargetOption = None,
) -> None:
    """Ingest every source, run dbt build (models and tests), publish, print the goal summary."""
    from ingest import pipeline, publish, transform
    from ingest.runlock import run_lock

    settings = settings_for(target)
    with run_lock(settings, "build"), progress_display() as progress:
        publish.remove_leftovers(settings)  # a killed run's half-written copy
        task = progress.add_task("ingest all sources", total=None)
        results = pipeline.ingest_all(settings, live=live)
        unchanged = None if force else pipeline.unchanged_build(settings, results)
        if unchanged is None:
            progress.update(task, description="dbt build (models and tests)")
            outcome = transform.build_models(settings)
            publication = None
            if settings.lake is None:  # lake readers read the lake (or its PostgreSQL copy)
                progress.update(task, description="publish the read-only copy")
                publication = publish.publish(settings, dbt=outcome)
    _print_loads(results)
    if unchanged is not None:
        console.print(
            f"nothing changed since build {unchanged}: same payloads, same dbt project; "
            "dbt build and publish skipped"
        )
        _print_summary(settings)
        return
    console.print(f"dbt build: {outcome.passed} nodes passed")
    for name in pipeline.unloaded_sources(settings):
        hint = "the API returned no data" if live else "run with --live"
        console.print(f"{name}: not loaded; {hint}", style="yellow")
    _print_publication(publication)
    _print_summary(settings)


@app.command(epilog=EXIT_CODES_HELP)
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
    from ingest import pipeline

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
    with progress_display() as progress:
        progress.add_task(f"ingest {source}", total=None)
        try:
            results = pipeline.ingest_source(
                source, settings, live=live, file=file, request=request
            )
        except pipeline.ChunksFailed as error:
            if error.results:  # the chunks that did load stay loaded
                _print_loads(error.results)
            raise
    _print_loads(results)


@app.command(epilog=EXIT_CODES_HELP)
@reports_errors
def transform(target: TargetOption = None) -> None:
    """Run dbt build: every model, snapshot, seed and test."""
    from ingest import transform as dbt

    settings = settings_for(target)
    with progress_display() as progress:
        progress.add_task("dbt build (models and tests)", total=None)
        outcome = dbt.build_models(settings)
    console.print(f"dbt build: {outcome.passed} nodes passed")


@app.command()
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
    from datetime import UTC, datetime

    from ingest import runlock, status_view, warehouse
    from ingest.ledger import failed_expectations

    settings = Settings.from_env()
    out = status_view.wide_console()
    if not warehouse.exists(settings.db_path):
        raise TradewatchError(f"{settings.db_path}: no warehouse yet; run `tradewatch build`")
    holder = runlock.current_holder(settings)
    ledger = settings.db_path
    if holder is not None:
        out.print(Text(f"a run is in progress: {holder.describe()}", style="yellow"))
        published = settings.published_dir / settings.db_path.name
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


@app.command(epilog=EXIT_CODES_HELP)
@reports_errors
def query(
    sql: Annotated[str, typer.Argument(help="A read-only SQL query, e.g. 'from marts.countries'.")],
    output: Annotated[OutputFormat, typer.Option("--format", help="Output format.")] = (
        OutputFormat.table
    ),
) -> None:
    """Run SQL on the published copy: read-only, no files outside it, capped memory, temp
    space and time (TRADEWATCH_QUERY_*)."""
    from ingest import access, query_output

    settings = Settings.from_env()
    frame = access.run_query(settings, sql)
    query_output.write(frame, output)
    if frame.is_empty():
        database = str(access.query_database(settings))
        hint = query_output.empty_result_hint(settings, sql, database)
        if hint:
            errors.print(Text(f"hint: {hint}"), soft_wrap=True)


@app.command()
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
    import json

    import polars as pl
    from rich.text import Text

    from ingest import changes

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


# --- published copy, scheduled runs, report and docs -----------------------------------

EXIT_MEANINGS = {
    EXIT_OK: "ok",
    EXIT_BAD_INPUT: "bad input or data-quality failure",
    EXIT_USAGE: "usage error",
    EXIT_LOCKED: "another run holds the lock",
    EXIT_SOFTWARE: "unexpected error (a bug; the traceback is in the log)",
    EXIT_CANT_WRITE: "cannot write the warehouse, landing or publish folder",
    EXIT_TEMPFAIL: "source unavailable; try later",
}
BUG_EXIT_CODE = EXIT_SOFTWARE  # neither the data nor a source is to blame


@app.command("publish", epilog=EXIT_CODES_HELP)
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
    from ingest import publish
    from ingest.runlock import run_lock

    settings = settings_for(target)
    if postgres:
        _serve(settings, postgres, grant_to)
        return
    with run_lock(settings, "publish"):
        publication = publish.publish(settings, force=force, storage_version=storage_version)
    _print_publication(publication)


def _serve(settings: Settings, dsn: str, grant_to: str | None) -> None:
    from ingest import serving

    with progress_display() as progress:
        progress.add_task("serve the marts from PostgreSQL", total=None)
        served = serving.publish_postgres(settings, dsn, grant_to=grant_to)
    rows = sum(served.rows.values())
    console.print(
        Text(
            f"served publication {served.publication_id}: {len(served.rows)} marts, "
            f"{rows} rows in schema marts of PostgreSQL"
        )
    )


@app.command()
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
    import os
    from datetime import UTC, datetime

    try:
        settings = settings_for(target)
    except TradewatchError as error:  # nothing to log to yet: one line on stderr
        _print_error(error)
        raise typer.Exit(error.exit_code) from None
    started = datetime.now(UTC)
    folder = log_dir or settings.db_path.parent / "logs"
    log_path = folder / f"run-{started:%Y%m%dT%H%M%SZ}-{os.getpid()}.log"
    with _run_logging(log_path, settings.secrets):
        code = _run_unattended(
            settings, live=live, freshness=freshness, force=force, log_path=log_path
        )
    raise typer.Exit(code)


def _run_unattended(
    settings: Settings, *, live: bool, freshness: bool, force: bool, log_path: Path
) -> int:
    from ingest import alerts, pipeline, publish, transform
    from ingest.freshness import source_freshness
    from ingest.runlock import run_lock

    log = logging.getLogger("tradewatch.run")
    log.info(
        "run started: warehouse %s, %s sources, log %s",
        settings.db_path,
        "live" if live else "bundled",
        log_path,
    )
    try:
        with run_lock(settings, "run"):
            publish.remove_leftovers(settings)  # a killed run's half-written copy
            results = pipeline.ingest_all(settings, live=live)
            for result in results:
                log.info(
                    "load %s/%s: %s, vintage %s, %s rows (%s)",
                    result.source,
                    result.dataset,
                    result.status,
                    result.vintage or "-",
                    result.rows,
                    result.origin,
                )
            unchanged = None if force else pipeline.unchanged_build(settings, results)
            if unchanged is not None:
                log.info("nothing changed since build %s: dbt build and publish skipped", unchanged)
            else:
                outcome = transform.build_models(settings)
                log.info("dbt build: %d nodes passed", outcome.passed)
                if settings.lake is None:
                    publication = publish.publish(settings, dbt=outcome)
                    log.info("published build %s: %s", publication.build_id, publication.database)
            alerts.after_run(settings, new_snapshot=unchanged is None)
            if freshness:
                _log_freshness(log, source_freshness, settings)
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


def _log_freshness(
    log: logging.Logger, check: Callable[[Settings], list[Any]], settings: Settings
) -> None:
    """Freshness is reported, not enforced: a stale source does not fail the run."""
    try:
        rows = check(settings)
    except TradewatchError as error:
        log.warning("source freshness not checked: %s", error)
        return
    for row in rows:
        level = {"pass": logging.INFO, "warn": logging.WARNING}.get(row.status, logging.ERROR)
        log.log(
            level,
            "freshness %s.%s: %s (newest load %s, %s h ago; warn after %s, error after %s)",
            row.source,
            row.table,
            row.status,
            row.max_loaded_at,
            row.age_hours,
            row.warn_after,
            row.error_after,
        )


class _Scrub(logging.Filter):
    def __init__(self, secrets: tuple[str, ...]) -> None:
        super().__init__()
        self.secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        from ingest.http import scrub

        if self.secrets:
            record.msg = scrub(record.getMessage(), self.secrets)
            record.args = None
        return True


@contextmanager
def _run_logging(log_path: Path, secrets: tuple[str, ...]) -> Iterator[None]:
    """Timestamped UTC log lines to the run's file and to stderr; no colours, no wrapping."""
    import time

    log_path.parent.mkdir(parents=True, exist_ok=True)
    formatter = logging.Formatter(
        "%(asctime)sZ %(levelname)-7s %(name)s: %(message)s", "%Y-%m-%dT%H:%M:%S"
    )
    formatter.converter = time.gmtime
    handlers: list[logging.Handler] = [
        logging.FileHandler(log_path, encoding="utf-8"),
        logging.StreamHandler(sys.stderr),
    ]
    for handler in handlers:
        handler.setFormatter(formatter)
        handler.addFilter(_Scrub(secrets))
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    quiet = {name: logging.getLogger(name).level for name in ("httpx", "httpcore")}
    root.handlers = handlers
    root.setLevel(logging.INFO)
    for name in quiet:  # httpx logs full request URLs at INFO
        logging.getLogger(name).setLevel(logging.WARNING)
    try:
        yield
    finally:
        root.handlers, root.level = saved_handlers, saved_level
        for name, level in quiet.items():
            logging.getLogger(name).setLevel(level)
        for handler in handlers:
            handler.close()


@app.command()
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
    from ingest.report import render_report

    settings = Settings.from_env()
    result = render_report(settings, out)
    console.print(f"report: {result.html_path}")
    for png in result.charts.values():
        console.print(f"  chart: {png}")
    for key, reason in result.missing.items():
        console.print(
            Text.assemble("  ", ("not available in this build", "yellow"), f" {key}: {reason}")
        )


@app.command()
@reports_errors
def docs(
    port: Annotated[int, typer.Option("--port", help="Port on 127.0.0.1.")] = 8080,
    serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve the site after generating it.")
    ] = True,
) -> None:
    """Generate the dbt docs site and serve it on http://127.0.0.1:PORT (Ctrl-C stops)."""
    from ingest import dbt_docs
    from ingest.runlock import run_lock

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


def _print_publication(publication: Any) -> None:
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


def _print_published(settings: Settings, out: Console = console) -> None:
    from ingest.publish import read_manifest

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
    from ingest.freshness import source_freshness

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


# `tradewatch deals …` lives in its own module; imported last because it uses the helpers above
from ingest.deals_cli import deals_app  # noqa: E402

app.add_typer(deals_app, name="deals")
