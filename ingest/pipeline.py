"""What the CLI commands do, without the printing: ingest sources, build, summarise."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import httpx

from ingest import landing, ledger, warehouse
from ingest.errors import (
    AuthenticationError,
    FileRefused,
    LockHeld,
    ParseError,
    TradewatchError,
    UsageError,
)
from ingest.http import HttpClient, RetryPolicy, make_client
from ingest.loader import LoadResult, load_payload, refuse_file
from ingest.settings import Settings
from ingest.sources import SOURCES, get_source
from ingest.sources.base import NO_REQUEST, Payload, Source, SourceRequest


@dataclass(frozen=True)
class GoalSummary:
    latest_month: date
    total_trade_t12m_usd: int
    pct_of_goal: float
    cagr_5y_pct: float | None
    projected_goal_year: int | None
    t12m_yoy_pct: float | None
    projected_goal_year_t12m: int | None
    required_growth_pct: dict[int, float | None]
    vintage: str


@contextmanager
def http_client(
    settings: Settings,
    transport: httpx.BaseTransport | None = None,
    sleep: Callable[[float], None] | None = None,
) -> Iterator[HttpClient]:
    """The run's one HTTP client: timeouts, size limit, deadline and retries from settings."""
    with make_client(
        timeout_s=settings.http_timeout_s,
        transport=transport,
        max_bytes=settings.http_max_bytes,
        deadline_s=settings.http_deadline_s,
        policy=RetryPolicy(attempts=settings.http_attempts),
        sleep=sleep,
    ) as client:
        yield client


def payloads_for(
    source: Source,
    settings: Settings,
    *,
    live: bool,
    file: Path | None,
    client: HttpClient,
    request: SourceRequest,
) -> Iterator[Payload]:
    _refuse_generic_fields(source, request)
    if file is not None:
        return _file_payloads(source, allowed_file(file, settings), settings, request)
    if live:
        return source.live(settings, client, request)
    return source.offline(request)


def _file_payloads(
    source: Source, path: Path, settings: Settings, request: SourceRequest
) -> Iterator[Payload]:
    """The source's payloads of a `--file`; a file refused before any payload (and any reader
    error there, as a ParseError) is archived and ledgered by the loader, for every source."""
    payloads = source.from_file(path, request)
    while True:
        try:
            payload = next(payloads)
        except StopIteration:
            return
        except Exception as error:
            refused = error if isinstance(error, TradewatchError) else _unreadable(path, error)
            refuse_file(source.name, path, refused, settings)
            raise refused from None
        yield payload if payload.path is not None else replace(payload, container=path)


def _unreadable(path: Path, error: Exception) -> ParseError:
    detail = " ".join(str(error).split())[:300]
    return ParseError(f"{path.name}: cannot be read: {type(error).__name__}: {detail}")


# request fields every mode understands, not only live fetches
GENERIC_FIELDS = ("all_products", "products", "vintage")


def _refuse_generic_fields(source: Source, request: SourceRequest) -> None:
    """A source that does not take a generic option says so rather than ignoring it."""
    refused = [
        name
        for name in request.given()
        if name in GENERIC_FIELDS and name not in source.file_request
    ]
    if refused:
        shown = ", ".join("--" + name.replace("_", "-") for name in refused)
        raise UsageError(f"{source.name} does not take {shown}")


# no later chunk can succeed after these
FATAL_FOR_EVERY_CHUNK = (AuthenticationError, LockHeld)


class ChunksFailed(TradewatchError):
    """Some chunks of a chunked source failed; the others were loaded and stay loaded."""

    def __init__(
        self,
        source: str,
        failures: list[tuple[str, TradewatchError]],
        results: list[LoadResult],
    ) -> None:
        self.failures = failures
        self.results = results
        self.exit_code = max(error.exit_code for _, error in failures)
        shown = "; ".join(f"{chunk}: {error}" for chunk, error in failures[:10])
        more = f" (and {len(failures) - 10} more)" if len(failures) > 10 else ""
        super().__init__(
            f"{source}: {len(failures)} chunk(s) failed and were not loaded; a rerun fetches "
            f"only these and any missing chunks: {shown}{more}"
        )


def allowed_file(file: Path, settings: Settings) -> Path:
    """A regular file below one of the allowed folders, links resolved."""
    resolved = file.expanduser().resolve()
    if not any(resolved.is_relative_to(root) for root in settings.file_roots):
        roots = os.pathsep.join(str(root) for root in settings.file_roots)
        raise FileRefused(
            f"{file}: outside the folders tradewatch reads from ({roots}); "
            "set TRADEWATCH_FILE_ROOTS to allow another folder"
        )
    if not resolved.is_file():
        raise FileRefused(f"{file}: no such file")
    return resolved


def ingest_source(
    name: str,
    settings: Settings,
    *,
    live: bool = False,
    file: Path | None = None,
    request: SourceRequest = NO_REQUEST,
    transport: httpx.BaseTransport | None = None,
    client: HttpClient | None = None,
    keep_going: bool | None = None,
) -> list[LoadResult]:
    """Load every payload of one source. Each load is atomic; the first failure stops the
    run unless `keep_going` (the default for chunked sources), in which case the failed
    chunks are named in one ChunksFailed at the end. Without a `client`, the run makes its
    own from the settings (and `transport`, a test's stand-in for the network)."""
    source = get_source(name)
    keep_going = source.chunked if keep_going is None else keep_going
    landing.remove_leftovers(settings.landing_dir / name)
    results: list[LoadResult] = []
    failures: list[tuple[str, TradewatchError]] = []
    with ExitStack() as stack:
        if client is None:
            client = stack.enter_context(http_client(settings, transport))
        payloads = payloads_for(
            source, settings, live=live, file=file, client=client, request=request
        )
        for payload in payloads:
            try:
                results.append(load_payload(payload, settings))
            except TradewatchError as error:
                if not keep_going or isinstance(error, FATAL_FOR_EVERY_CHUNK):
                    raise
                where = f"{payload.dataset.name} {payload.chunk or payload.origin}"
                failures.append((where, error))
    if failures:
        raise ChunksFailed(name, failures, results)
    return results


def ensure_raw_tables(settings: Settings) -> list[str]:
    """Every registered raw table exists (empty until loaded), so `dbt build` works on a
    warehouse where some sources, e.g. live-only ones, were never loaded. Called before
    dbt runs, never by a load, so a failed load still leaves no raw table behind."""
    tables = [table for source in SOURCES.values() for table in source.tables]
    schemas = {table.name: table.schema for table in tables}
    partitions = {table.name: table.partition_by for table in tables}
    ledger.create(settings.db_path)  # dbt's stg_ops__loads reads the ledger too
    return warehouse.ensure_raw_tables(settings.db_path, schemas, partitions)


def unloaded_sources(settings: Settings) -> list[str]:
    """Registered sources with no successful load in the warehouse, in build order."""
    loaded = ledger.sources_with_loads(settings.db_path)
    return [name for name in SOURCES if name not in loaded]


def ingest_all(
    settings: Settings, *, live: bool = False, transport: httpx.BaseTransport | None = None
) -> list[LoadResult]:
    results: list[LoadResult] = []
    for name in SOURCES:
        results.extend(ingest_source(name, settings, live=live, transport=transport))
    return results


def unchanged_build(settings: Settings, results: list[LoadResult]) -> str | None:
    """The id of the published build this one would repeat, or None when work is needed.

    Nothing changed when every load was skipped (the same payloads), no load has succeeded
    since the last successful dbt run (`ops.dbt_runs`: a `publish` alone does not build the
    marts) nor since the last publication, the dbt project is the one that build used, and
    its copy is in place: dbt and publish can be skipped.
    """
    from ingest import publish
    from ingest.transform import project_fingerprint

    if any(result.status != "skipped" for result in results):
        return None
    manifest = publish.read_manifest(settings)
    if not manifest or not publish.published_database(settings).exists():
        return None
    if manifest.get("dbt_project_sha256") != project_fingerprint():
        return None
    if not ledger.dbt_run_covers_every_load(settings.db_path):
        return None
    if ledger.loaded_since(settings.db_path, manifest["built_at"]):
        return None
    return str(manifest["build_id"])


def goal_summary(db_path: Path) -> GoalSummary | None:
    with warehouse.connect(db_path, read_only=True) as con:
        latest = con.execute(
            "select month_date, total_trade_t12m_usd, pct_of_goal, vintage, cagr_5y_pct, "
            "projected_goal_year, total_trade_t12m_yoy_pct, projected_goal_year_t12m "
            "from marts.trade_goal_progress order by month_date desc limit 1"
        ).fetchone()
        if latest is None:
            return None
        scenarios = con.execute(
            "select target_year, required_annual_growth_pct from marts.trade_goal_scenarios "
            "where month_date = ? order by target_year",
            [latest[0]],
        ).fetchall()
    return GoalSummary(
        latest_month=latest[0],
        total_trade_t12m_usd=int(latest[1]),
        pct_of_goal=float(latest[2]),
        cagr_5y_pct=latest[4],
        projected_goal_year=latest[5],
        t12m_yoy_pct=latest[6],
        projected_goal_year_t12m=latest[7],
        required_growth_pct={year: growth for year, growth in scenarios},
        vintage=latest[3],
    )
