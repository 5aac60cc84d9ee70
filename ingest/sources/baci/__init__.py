"""CEPII BACI: bilateral trade at HS6, reconciled from both partners' reports to UN Comtrade.

A release is a zip (`BACI_HS22_V202601.zip`, several GB unzipped) of one CSV per year,
`t,i,j,k,v,q` (year, exporter, importer, HS6 product, value in thousands of USD f.o.b.,
quantity in tonnes), plus the release's country table. `--file` streams it: the zip is
archived by streaming copy, each year's member is extracted to a temporary file next to the
archive and read by DuckDB straight into the raw table, keeping only the rare-earth basket
unless `--all-products`. Nothing of the file is held in Python memory.

The bundled offline data are not release files: filtered extracts and summaries made by
critical-materials-atlas from BACI V202601, each modelled as its own dataset (see
`bundled/baci/PROVENANCE.md`). CEPII BACI, Etalab 2.0 licence (attribution required).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from functools import partial
from pathlib import Path

from ingest.basket import basket_codes, product_filter
from ingest.csvlimits import read_line
from ingest.errors import ParseError
from ingest.http import HttpClient
from ingest.settings import Settings
from ingest.sources.baci.atlas import (
    parse_atlas_flows,
    parse_atlas_summary,
    parse_atlas_trade,
    parse_country_codes,
)
from ingest.sources.baci.products import chunk_name
from ingest.sources.baci.release import check_trade_header, stage_release, stage_release_year
from ingest.sources.baci.tables import (
    ATLAS_FLOWS,
    ATLAS_HS_REVISION,
    ATLAS_SUMMARY,
    ATLAS_TRADE,
    ATLAS_VINTAGE,
    COUNTRY_CODES,
    COUNTRY_COLUMNS,
    SOURCE,
    TRADE_FLOWS,
    TRADE_HEADER,
)
from ingest.sources.base import (
    NO_REQUEST,
    Dataset,
    Payload,
    Source,
    SourceRequest,
    bundled_path,
    file_payload,
)

BUNDLED = "baci"

__all__ = [
    "ATLAS_FLOWS",
    "ATLAS_HS_REVISION",
    "ATLAS_SUMMARY",
    "ATLAS_TRADE",
    "ATLAS_VINTAGE",
    "BACI",
    "COUNTRY_CODES",
    "COUNTRY_COLUMNS",
    "TRADE_FLOWS",
    "basket_codes",
    "check_trade_header",
    "dataset_for",
    "parse_atlas_flows",
    "parse_atlas_summary",
    "parse_atlas_trade",
    "parse_country_codes",
    "product_filter",
    "stage_release",
]

RELEASE = Dataset(SOURCE, "release", (TRADE_FLOWS, COUNTRY_CODES))
RELEASE_YEAR = Dataset(SOURCE, "release_year", (TRADE_FLOWS,))
COUNTRY_TABLE = Dataset(SOURCE, "country_codes", (COUNTRY_CODES,), parse_country_codes)
ATLAS_EXTRACT = Dataset(SOURCE, "atlas_extract", (ATLAS_FLOWS,))
ATLAS_TRADE_DATASET = Dataset(SOURCE, "atlas_trade", (ATLAS_TRADE,))
ATLAS_SUMMARY_DATASET = Dataset(SOURCE, "atlas_summary", (ATLAS_SUMMARY,))
FILTERED_PARSERS = {
    "atlas_extract": parse_atlas_flows,
    "atlas_trade": parse_atlas_trade,
    "atlas_summary": parse_atlas_summary,
}
FILTERED_STAGERS = {"release": stage_release, "release_year": stage_release_year}
BUNDLED_FILES = (
    (COUNTRY_TABLE, "country_codes_V202601.csv"),
    (ATLAS_EXTRACT, "baci_2022.csv"),
    (ATLAS_TRADE_DATASET, "trade_2024.parquet"),
    (ATLAS_SUMMARY_DATASET, "baci_rare_earth_trade_world_and_cn_us_tr.csv"),
)


def _payload(dataset: Dataset, path: Path, codes: tuple[str, ...] | None) -> Payload:
    """The file's payload; an atlas parser or a release stager bound to the product filter."""
    chunk = chunk_name(codes)
    if dataset.name in FILTERED_PARSERS:
        parse = partial(FILTERED_PARSERS[dataset.name], codes=codes)
        return file_payload(dataset, path, chunk=chunk, parse=parse)
    if dataset.name in FILTERED_STAGERS:
        stage = partial(FILTERED_STAGERS[dataset.name], codes=codes)
        return file_payload(dataset, path, chunk=chunk, stage=stage)
    return file_payload(dataset, path)


def offline(request: SourceRequest = NO_REQUEST) -> Iterator[Payload]:
    codes = product_filter(request.all_products, request.products)
    for dataset, name in BUNDLED_FILES:
        yield _payload(dataset, bundled_path(BUNDLED, name), codes)


def live(
    settings: Settings, client: HttpClient, request: SourceRequest = NO_REQUEST
) -> Iterator[Payload]:
    # CEPII publishes releases as large zips for download; `--file` loads one
    yield from offline(request)


def from_file(path: Path, request: SourceRequest = NO_REQUEST) -> Iterator[Payload]:
    codes = product_filter(request.all_products, request.products)
    yield _payload(dataset_for(path), path, codes)


def dataset_for(path: Path) -> Dataset:
    if zipfile.is_zipfile(path):
        return RELEASE
    if path.suffix.lower() == ".parquet":
        return ATLAS_TRADE_DATASET
    with open(path, "rb") as handle:
        header = read_line(handle, path.name).decode("utf-8-sig", errors="replace").strip()
    fields = [field.strip().strip('"') for field in header.split(",")]
    if tuple(fields) == TRADE_HEADER:
        return RELEASE_YEAR
    if fields[:2] == ["i", "j"]:
        return ATLAS_EXTRACT
    if fields[:1] == ["dataset"]:
        return ATLAS_SUMMARY_DATASET
    if "country_code" in fields:
        return COUNTRY_TABLE
    raise ParseError(
        f"{path.name}, line 1: not a BACI release, year file, country table or "
        f"atlas extract (header: {header[:120]!r})"
    )


BACI = Source(
    name=SOURCE,
    description="CEPII BACI reconciled bilateral trade at HS6 (rare-earth basket by default)",
    licence="CEPII BACI, Etalab 2.0 licence (attribution required)",
    datasets=(
        RELEASE,
        RELEASE_YEAR,
        COUNTRY_TABLE,
        ATLAS_EXTRACT,
        ATLAS_TRADE_DATASET,
        ATLAS_SUMMARY_DATASET,
    ),
    offline=offline,
    live=live,
    from_file=from_file,
    file_request=("all_products", "products"),
)
