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
        console.print(f"[yellow]{name}: not loaded; {hint}[/]")
    _print_publication(publication)
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
    target: TargetOption = None,
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
    settings = settings_for(target)
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
        typer.Option("--freshness/--no-freshness", help="Also run `dbt source freshness`."),
    ] = True,
) -> None:
    """Last loads, failed expectations, the published build and source freshness."""
    from ingest import runlock, warehouse

    settings = Settings.from_env()
    if not warehouse.exists(settings.db_path):
        raise TradewatchError(f"{settings.db_path}: no warehouse yet; run `tradewatch build`")
    holder = runlock.current_holder(settings)
    ledger = settings.db_path
    if holder is not None:
        console.print(f"[yellow]a run is in progress:[/] {holder.describe()}")
        published = settings.published_dir / settings.db_path.name
        ledger = published if published.exists() else ledger
        console.print(f"ledger as of the last publish ({ledger})")
    with warehouse.connect(ledger, read_only=True) as con:
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
    _print_published(settings)
    if not freshness:
        return
    if holder is not None:
        console.print("[yellow]source freshness skipped while the run holds the warehouse[/]")
        return
    _print_freshness(settings)


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


# --- published copy, scheduled runs, report and docs -----------------------------------

EXIT_MEANINGS = {
    0: "ok",
    1: "data-quality failure",
    2: "source unavailable",
    3: "another run holds the lock",
    70: "unexpected error (a bug; the traceback is in the log)",
}
BUG_EXIT_CODE = 70  # EX_SOFTWARE: neither the data nor a source is to blame


@app.command("publish")
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
    freshness, and logs to a file as well as the console. Exit codes: 0 ok, 1 data-quality
    failure (or a payload whose shape changed), 2 source unavailable (unreachable, refusing
    the key, or answering something that is not data), 3 another run holds the lock, 70 a
    bug.
    """
    import os
    from datetime import UTC, datetime

    try:
        settings = settings_for(target)
    except TradewatchError as error:
        errors.print(Text(f"error: {error}"), soft_wrap=True)
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
    from ingest import pipeline, publish, transform
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
            if freshness:
                _log_freshness(log, source_freshness, settings)
    except TradewatchError as error:
        log.error("%s: %s", type(error).__name__, error)
        code = error.exit_code
        log.error("run failed: exit %d (%s)", code, EXIT_MEANINGS.get(code, "error"))
        return code
    except Exception:
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
        console.print(f"  [yellow]not available in this build[/] {key}: {reason}")


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


def _print_published(settings: Settings) -> None:
    from ingest.publish import read_manifest

    manifest = read_manifest(settings)
    if manifest is None:
        console.print("[yellow]nothing published yet[/]: `tradewatch build` publishes a copy")
        return
    dbt = manifest.get("dbt") or {}
    checks = manifest.get("expectations") or {}
    console.print(
        f"published: build {manifest['build_id']} at {manifest['built_at']}; dbt "
        f"{dbt.get('passed', '?')} passed / {dbt.get('failed', '?')} failed; expectations "
        f"{checks.get('passed', '?')} passed / {checks.get('failed', '?')} failed"
    )


def _print_freshness(settings: Settings) -> None:
    from ingest.freshness import source_freshness

    rows = source_freshness(settings)
    table = Table("source table", "freshness", "newest load (UTC)", "age", "warn / error after")
    colours = {"pass": "green", "warn": "yellow"}
    for row in rows:
        colour = colours.get(row.status, "red")
        age = "" if row.age_hours is None else _age(row.age_hours)
        table.add_row(
            f"{row.source}.{row.table}",
            f"[{colour}]{row.status}[/]",
            (row.max_loaded_at or "")[:16].replace("T", " "),
            age,
            f"{row.warn_after or '-'} / {row.error_after or '-'}",
        )
    console.print(table)


def _age(hours: float) -> str:
    return f"{hours:,.1f} h" if hours < 48 else f"{hours / 24:,.1f} d"


# `tradewatch deals …` lives in its own module; imported last because it uses the helpers above
from ingest.deals_cli import deals_app  # noqa: E402

app.add_typer(deals_app, name="deals")
