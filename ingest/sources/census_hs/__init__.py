"""U.S. trade by HS code and month: Census Bureau International Trade API (`exports/hs`,
`imports/hs`), whole U.S. dollars.

https://api.census.gov/data/timeseries/intltrade — exports are Schedule B codes at f.a.s.
value (`ALL_VAL_MO`), imports are HTSUSA codes at customs value (`GEN_VAL_MO` general
imports, `CON_VAL_MO` imports for consumption). Each live request is one chunk (dataset, flow,
month and HS level or basket stem), loaded and recorded on its own, so a rerun fetches only the
chunks that are missing or failed. Saved answers (`--file`, and the bundled 2025 answers) go
through the same parser into their own tables, dated by retrieval (see `saved.py`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date
from functools import partial
from pathlib import Path

from ingest import ledger
from ingest.http import HttpClient
from ingest.settings import Settings
from ingest.sources.base import NO_REQUEST, Dataset, Payload, Source, SourceRequest
from ingest.sources.census_hs.client import InvalidOption, Request, build_url, fetch, month_window
from ingest.sources.census_hs.parse import (
    COMMODITY_VARIABLE,
    FLOWS,
    RARE_EARTHS_BY_PARTNER,
    TURKEY_BY_HS,
    get_variables,
    parse_rare_earths_by_partner,
    parse_turkey_by_hs,
)
from ingest.sources.census_hs.saved import (
    COUNTRY_TOTALS_DATASET,
    HS_BY_COUNTRY_DATASET,
    answer_payload,
    bundled_answers,
)

log = logging.getLogger(__name__)

SOURCE = "census-hs"
TURKEY_CENSUS_CODE = "4890"  # Schedule C; the API spells the name TURKEY
TURKEY_LEVELS = ("HS2", "HS4")
# Rare-earth basket (shared/docs/rare_earth_basket.md) as HS6 stems queried at HS10 with a
# wildcard: 10-digit suffixes differ between editions and between HTS (imports) and Schedule B
# (exports), so the exact codes are whatever the API returns. 2846* covers 2846.10 and 2846.90.
# 3606.90 and 8505.11 are mixed at HS6; their RE-specific lines (3606.90.30, 8505.11.00.50/70)
# are kept apart by the 10-digit code. Ore proxies and unverified candidates are left out.
RARE_EARTH_STEMS = ("280530*", "2846*", "360690*", "850511*")


def turkey_requests(base_url: str, month: str) -> Iterator[Request]:
    for endpoint, flow in FLOWS.items():
        for level in TURKEY_LEVELS:
            predicates = [("CTY_CODE", TURKEY_CENSUS_CODE), ("COMM_LVL", level), ("time", month)]
            url = build_url(base_url, endpoint, get_variables(TURKEY_BY_HS, flow), predicates)
            yield Request(url=url, chunk=f"{endpoint}:{month}:{level}")


def rare_earth_requests(base_url: str, month: str) -> Iterator[Request]:
    """Every partner (CTY_CODE in get= without a predicate breaks it out), world and
    grouping rows included; staging tells countries from aggregates by code."""
    for endpoint, flow in FLOWS.items():
        for stem in RARE_EARTH_STEMS:
            predicates = [("COMM_LVL", "HS10"), (COMMODITY_VARIABLE[flow], stem), ("time", month)]
            url = build_url(
                base_url, endpoint, get_variables(RARE_EARTHS_BY_PARTNER, flow), predicates
            )
            yield Request(url=url, chunk=f"{endpoint}:{month}:{stem}")


TURKEY_DATASET = Dataset(SOURCE, "turkey_by_hs", (TURKEY_BY_HS,), parse_turkey_by_hs)
RARE_EARTHS_DATASET = Dataset(
    SOURCE, "rare_earths_by_partner", (RARE_EARTHS_BY_PARTNER,), parse_rare_earths_by_partner
)
REQUESTS = {
    TURKEY_DATASET.name: (TURKEY_DATASET, turkey_requests),
    RARE_EARTHS_DATASET.name: (RARE_EARTHS_DATASET, rare_earth_requests),
}


def offline(request: SourceRequest = NO_REQUEST) -> Iterator[Payload]:
    """The bundled answers saved from the API in 2025, each dated by its sidecar."""
    if request.vintage is not None:
        raise InvalidOption("--vintage dates a saved answer: use it with --file")
    yield from bundled_answers()


def live(
    settings: Settings, client: HttpClient, request: SourceRequest = NO_REQUEST
) -> Iterator[Payload]:
    """One payload per chunk not yet loaded; `refresh` asks again for every chunk of the window
    (Census revises recent months; an unchanged answer is skipped by its hash)."""
    months = month_window(request.from_month, request.to_month, today=request.today or date.today())
    for name in _dataset_names(request.dataset):
        chosen, requests = REQUESTS[name]
        done = set() if request.refresh else ledger.loaded_chunks(settings.db_path, SOURCE, name)
        pending = [
            call
            for month in months
            for call in requests(settings.census_api_base_url, month)
            if call.chunk not in done
        ]
        log.info(
            "%s/%s: %d chunk(s) to fetch, %d already loaded", SOURCE, name, len(pending), len(done)
        )
        for call in pending:
            fetcher = partial(fetch, client, call.url, key=settings.census_api_key)
            yield Payload(chosen, call.url, fetcher, chunk=call.chunk)


def _dataset_names(dataset: str | None) -> list[str]:
    if dataset is None:
        return list(REQUESTS)
    if dataset not in REQUESTS:
        raise InvalidOption(f"--dataset {dataset!r}: one of {', '.join(REQUESTS)}")
    return [dataset]


def from_file(path: Path, request: SourceRequest = NO_REQUEST) -> Iterator[Payload]:
    """A saved answer (JSON array or the same columns as CSV, optionally gzipped)."""
    yield answer_payload(path, request.vintage)


CENSUS_HS = Source(
    name=SOURCE,
    description="U.S.–Turkey trade by HS2/HS4 and U.S. rare-earth trade by partner at HS10, "
    "monthly (Census International Trade API)",
    licence="U.S. Census Bureau, public domain",
    datasets=(TURKEY_DATASET, RARE_EARTHS_DATASET, COUNTRY_TOTALS_DATASET, HS_BY_COUNTRY_DATASET),
    offline=offline,
    live=live,
    from_file=from_file,
    chunked=True,
    file_request=("vintage",),
)
