"""What the CLI commands do, without the printing: ingest sources, build, summarise."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import httpx

from ingest import figures, landing, ledger, publish, transform, warehouse
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
from ingest.publish import Publication
from ingest.settings import Settings
from ingest.sources import SOURCES, get_source
from ingest.sources.base import NO_REQUEST, Payload, Source, SourceRequest
from ingest.transform import DbtOutcome

log = logging.getLogger(__name__)


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
        stack.enter_context(warehouse.session(settings.db_path))
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


def unloaded_sources(settings: Settings) -> list[str]:
    """Registered sources with no successful load in the warehouse, in build order."""
    loaded = ledger.sources_with_loads(settings.db_path)
    return [name for name in SOURCES if name not in loaded]


def ingest_all(
    settings: Settings, *, live: bool = False, transport: httpx.BaseTransport | None = None
) -> list[LoadResult]:
    results: list[LoadResult] = []
    with warehouse.session(settings.db_path):  # the file opened once for every source
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
    if any(result.status != "skipped" for result in results):
        return None
    manifest = publish.read_manifest(settings)
    if not manifest or not publish.published_database(settings).exists():
        return None
    if manifest.get("dbt_project_sha256") != transform.project_fingerprint():
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


@dataclass(frozen=True)
class BuildReport:
    """What one build did, for `tradewatch build` to print and `tradewatch run` to log."""

    loads: list[LoadResult]
    unchanged_since: str | None  # the published build this one repeated (dbt and publish skipped)
    dbt: DbtOutcome | None
    publication: Publication | None  # None on the lake target: readers read the lake
    unloaded: list[str]  # registered sources with no successful load
    goal: GoalSummary | None


def build(
    settings: Settings,
    *,
    live: bool = False,
    force: bool = False,
    step: Callable[[str], None] = lambda description: None,
) -> BuildReport:
    """Ingest every source, then (unless nothing changed, or `force`) run dbt build, record
    the figure snapshot and publish the read-only copy. The caller holds the run lock;
    `step` is told what is running now."""
    publish.remove_leftovers(settings)  # a killed run's half-written copy
    step("ingest all sources")
    loads = ingest_all(settings, live=live)
    for result in loads:
        log.info(
            "load %s/%s: %s, vintage %s, %s rows (%s)",
            result.source,
            result.dataset,
            result.status,
            result.vintage or "-",
            result.rows,
            result.origin,
        )
    unchanged = None if force else unchanged_build(settings, loads)
    if unchanged is not None:
        log.info("nothing changed since build %s: dbt build and publish skipped", unchanged)
        return BuildReport(loads, unchanged, None, None, [], goal_summary(settings.db_path))
    step("dbt build (models and tests)")
    outcome = build_models(settings)
    log.info("dbt build: %d nodes passed", outcome.passed)
    publication = None
    if settings.lake is None:  # lake readers read the lake (or its PostgreSQL copy)
        step("publish the read-only copy")
        publication = publish.publish(settings, dbt=outcome)
        log.info("published build %s: %s", publication.build_id, publication.database)
    unloaded = unloaded_sources(settings)
    return BuildReport(loads, None, outcome, publication, unloaded, goal_summary(settings.db_path))


def build_models(settings: Settings) -> DbtOutcome:
    """dbt build, then the figure snapshot that `tradewatch diff` and the alerts compare."""
    outcome = transform.build_models(settings)
    figures.record_snapshot(settings.db_path)
    return outcome
