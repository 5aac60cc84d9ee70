"""What the CLI commands do, without the printing: ingest sources, build, summarise."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import httpx

from ingest import warehouse
from ingest.errors import TradewatchError
from ingest.http import make_client
from ingest.loader import LoadResult, load_payload
from ingest.settings import Settings
from ingest.sources import SOURCES, get_source
from ingest.sources.base import Payload, Source


@dataclass(frozen=True)
class GoalSummary:
    latest_month: date
    total_trade_t12m_usd: int
    pct_of_goal: float
    required_growth_pct: dict[int, float | None]
    vintage: str


@contextmanager
def http_client(
    settings: Settings, transport: httpx.BaseTransport | None = None
) -> Iterator[httpx.Client]:
    with make_client(timeout_s=settings.http_timeout_s, transport=transport) as client:
        yield client


def payloads_for(
    source: Source,
    settings: Settings,
    *,
    live: bool,
    file: Path | None,
    client: httpx.Client | None,
    options: dict[str, object],
) -> Iterator[Payload]:
    file_options = _file_options(source, options)
    if file is not None:
        if not file.is_file():
            raise TradewatchError(f"{file}: no such file")
        return source.from_file(file, **file_options)
    if live:
        assert client is not None
        return source.live(settings, client, **options)
    return source.offline(**file_options)


def _file_options(source: Source, options: dict[str, object]) -> dict[str, object]:
    """Options every mode understands (e.g. `all_products`); a source that does not take one
    says so rather than silently ignoring it."""
    generic = {key: value for key, value in options.items() if key in GENERIC_OPTIONS}
    refused = [key for key in generic if key not in source.file_options]
    if refused:
        shown = ", ".join("--" + key.replace("_", "-") for key in refused)
        raise TradewatchError(f"{source.name} does not take {shown}")
    return generic


GENERIC_OPTIONS = ("all_products", "products")


def ingest_source(
    name: str,
    settings: Settings,
    *,
    live: bool = False,
    file: Path | None = None,
    options: dict[str, object] | None = None,
    transport: httpx.BaseTransport | None = None,
    keep_going: bool = False,
) -> list[LoadResult]:
    """Load every payload of one source. Each load is atomic; the first failure stops the
    run unless `keep_going` (chunked sources), in which case failures are raised at the end."""
    source = get_source(name)
    results: list[LoadResult] = []
    errors: list[TradewatchError] = []
    warehouse.ensure_raw_tables(settings.db_path, {t.name: t.schema for t in source.tables})
    with http_client(settings, transport) as client:
        for payload in payloads_for(source, settings, live=live, file=file, client=client,
                                    options=options or {}):
            try:
                results.append(load_payload(payload, settings))
            except TradewatchError as error:
                if not keep_going:
                    raise
                errors.append(error)
    if errors:
        raise errors[0]
    return results


def ingest_all(settings: Settings, *, live: bool = False,
               transport: httpx.BaseTransport | None = None) -> list[LoadResult]:
    results: list[LoadResult] = []
    for name in SOURCES:
        results.extend(ingest_source(name, settings, live=live, transport=transport))
    return results


def goal_summary(db_path: Path) -> GoalSummary | None:
    with warehouse.connect(db_path, read_only=True) as con:
        latest = con.execute(
            "select as_of_month, total_trade_t12m_usd, pct_of_goal, vintage "
            "from marts.trade_goal_progress order by as_of_month desc limit 1"
        ).fetchone()
        if latest is None:
            return None
        scenarios = con.execute(
            "select target_year, required_annual_growth_pct from marts.trade_goal_scenarios "
            "where as_of_month = ? order by target_year",
            [latest[0]],
        ).fetchall()
    return GoalSummary(
        latest_month=latest[0],
        total_trade_t12m_usd=int(latest[1]),
        pct_of_goal=float(latest[2]),
        required_growth_pct={year: growth for year, growth in scenarios},
        vintage=latest[3],
    )
