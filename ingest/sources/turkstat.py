"""Türkiye's own (mirror) figures for its trade with the United States, annual, USD million.

Only secondary figures exist in the repository: press reports citing TurkStat, the Trade
Ministry or TİM (see `bundled/turkstat/PROVENANCE.md`). Every row is flagged secondary; the
mirror mart prefers Türkiye's reports to UN Comtrade when those are fetched live.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import polars as pl

from ingest.http import HttpClient
from ingest.parsing import cast_columns, read_text_csv, require_columns
from ingest.settings import Settings
from ingest.sources.base import (
    NO_REQUEST,
    Dataset,
    Payload,
    RawTable,
    Source,
    SourceRequest,
    bundled_path,
    file_payload,
)

SOURCE = "turkstat"
BUNDLED = "turkstat"
PRESS_SERIES = "press_citing_turkstat"
COLUMNS = (
    "year",
    "turkey_exports_to_usa_usd_mn",
    "turkey_imports_from_usa_usd_mn",
    "source_url",
    "note",
)

TURKEY_USA_ANNUAL = RawTable(
    name="raw_turkstat.turkey_usa_annual",
    schema=pl.Schema(
        {
            "series": pl.String,
            "year": pl.Int32,
            "turkey_exports_to_usa_usd_mn": pl.Float64,
            "turkey_imports_from_usa_usd_mn": pl.Float64,
            "is_secondary": pl.Boolean,
            "source_url": pl.String,
            "note": pl.String,
        }
    ),
    replace_key=("series",),
    description="One row per year: Türkiye-reported trade with the U.S. as quoted in the press.",
)


def parse_press_figures(payload: bytes, origin: str) -> dict[str, pl.DataFrame]:
    frame = require_columns(read_text_csv(payload, origin), tuple(COLUMNS), origin)
    casts = {
        "year": pl.Int32,
        "turkey_exports_to_usa_usd_mn": pl.Float64,
        "turkey_imports_from_usa_usd_mn": pl.Float64,
    }
    frame = cast_columns(frame, casts, origin)
    frame = frame.with_columns(series=pl.lit(PRESS_SERIES), is_secondary=pl.lit(True))
    return {TURKEY_USA_ANNUAL.name: frame.select(list(TURKEY_USA_ANNUAL.schema))}


PRESS_ANNUAL = Dataset(SOURCE, "press_annual", (TURKEY_USA_ANNUAL,), parse_press_figures)
BUNDLED_FILE = "turkstat_turkey_usa_annual.csv"


def offline(request: SourceRequest = NO_REQUEST) -> Iterator[Payload]:
    yield file_payload(PRESS_ANNUAL, bundled_path(BUNDLED, BUNDLED_FILE))


def live(
    settings: Settings, client: HttpClient, request: SourceRequest = NO_REQUEST
) -> Iterator[Payload]:
    yield from offline()  # TurkStat offers no API for these figures


def from_file(path: Path, request: SourceRequest = NO_REQUEST) -> Iterator[Payload]:
    yield file_payload(PRESS_ANNUAL, path)


TURKSTAT = Source(
    name=SOURCE,
    description="Türkiye-reported trade with the U.S. (secondary press figures citing TurkStat)",
    licence="figures quoted from the press articles cited per row (see PROVENANCE.md)",
    datasets=(PRESS_ANNUAL,),
    offline=offline,
    live=live,
    from_file=from_file,
)
