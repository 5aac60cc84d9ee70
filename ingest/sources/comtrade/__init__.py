"""UN Comtrade API v1: goods trade as each country reports it, annual and monthly, at HS.

https://comtradeapi.un.org — the keyed data endpoint (`/data/v1/get/C/{A|M}/HS`, key in the
`Ocp-Apim-Subscription-Key` header, never in a URL) or, without a key, the public preview
endpoint (`/public/v1/preview/...`, 500 records a call, one period a call). Default live
queries: Türkiye (792) and the United States (842) against all partners for the rare-earth
basket, and Türkiye–U.S. totals reported by each side (the mirror of the Census view).

UN Comtrade's terms restrict redistributing its data: nothing is bundled and `offline()`
yields nothing. Every pull is a vintage (its UTC retrieval date). Each query is a chunk: a
rerun after the daily call limit or an error fetches only the chunks the ledger does not have
as loaded; `--refresh` fetches them all again, as a new vintage.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from ingest import ledger
from ingest.basket import product_filter
from ingest.errors import ParseError, TradewatchError
from ingest.http import HttpClient
from ingest.settings import Settings
from ingest.sources.base import NO_REQUEST, Payload, Source, SourceRequest, file_payload
from ingest.sources.comtrade.api import KEY_HEADER, MAX_PERIODS_PER_CALL, Caller
from ingest.sources.comtrade.parse import parse_api_csv, parse_atlas_trimmed, parse_response
from ingest.sources.comtrade.queries import default_queries, periods_for
from ingest.sources.comtrade.records import (
    ANNUAL,
    API_CSV,
    ATLAS_TRIMMED,
    DUPLICATES_REMOVED,
    FIELDS,
    MONTHLY,
    RECORDS,
    SOURCE,
)

__all__ = [
    "COMTRADE",
    "DUPLICATES_REMOVED",
    "FIELDS",
    "KEY_HEADER",
    "RECORDS",
    "parse_api_csv",
    "parse_atlas_trimmed",
    "parse_response",
    "periods_for",
]


def live(
    settings: Settings, client: HttpClient, request: SourceRequest = NO_REQUEST
) -> Iterator[Payload]:
    if request.all_products:
        raise TradewatchError(
            "comtrade does not take --all-products: a query for every "
            "product and partner exceeds the API's limits; use --products"
        )
    frequency = {"annual": "A", "monthly": "M"}.get(request.dataset or "annual")
    if frequency is None:
        raise TradewatchError(f"comtrade --dataset is annual or monthly, not {request.dataset!r}")
    today = request.today or datetime.now(UTC).date()
    basket = product_filter(False, request.products)
    assert basket is not None
    keyed = settings.comtrade_api_key is not None
    per_call = MAX_PERIODS_PER_CALL if keyed else 1  # the preview: one period a call
    periods = periods_for(frequency, request.from_month, request.to_month, today)
    caller = Caller(settings, client, today.isoformat())
    dataset = ANNUAL if frequency == "A" else MONTHLY
    # a rerun resumes: chunks already loaded are skipped unless --refresh asks for revisions
    done = (
        set() if request.refresh else ledger.loaded_chunks(settings.db_path, SOURCE, dataset.name)
    )
    for query in default_queries(frequency, periods, basket, per_call):
        yield from caller.payloads(dataset, query, done)


def offline(request: SourceRequest = NO_REQUEST) -> Iterator[Payload]:
    return iter(())  # UN Comtrade data may not be redistributed: nothing is bundled


def from_file(path: Path, request: SourceRequest = NO_REQUEST) -> Iterator[Payload]:
    """A saved response body (.json), an API CSV, or the atlas's trimmed CSV (.csv/.csv.gz).
    A file's vintage is its name: when it was retrieved is not recorded inside it."""
    vintage = f"file:{path.name}"
    raw = path.read_bytes()[:4096]
    if raw[:2] == b"\x1f\x8b":
        with gzip.open(path, "rb") as handle:
            raw = handle.read(4096)
    text = raw.decode("utf-8-sig", errors="replace").lstrip()
    if text.startswith("{"):
        dataset = MONTHLY if re.search(r'"freqCode"\s*:\s*"M"', text) else ANNUAL
        parser: Any = parse_response
    elif "primaryvalue" in text.split("\n", 1)[0].lower():
        dataset, parser = API_CSV, parse_api_csv
    elif text.split("\n", 1)[0].strip().split(",")[:1] in (["year"], ["reporter"]):
        dataset, parser = ATLAS_TRIMMED, parse_atlas_trimmed
    else:
        raise ParseError(f"{path.name}: not a Comtrade response body, API CSV or atlas extract")
    yield file_payload(dataset, path, parse=partial(parser, vintage=vintage))


COMTRADE = Source(
    name=SOURCE,
    description="UN Comtrade API v1: reported goods trade by HS, partner and flow",
    licence="UN Comtrade terms of use: data fetched live; not redistributed",
    datasets=(ANNUAL, MONTHLY, API_CSV, ATLAS_TRIMMED),
    offline=offline,
    live=live,
    from_file=from_file,
    chunked=True,
)
