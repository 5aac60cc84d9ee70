"""Reference code lists: ISO 3166 / UN M49 countries and Census Schedule C codes.

Copies of public files (see `bundled/reference/PROVENANCE.md`); codes stay text, and `NA`
is Namibia, not a missing value.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import httpx
import polars as pl

from ingest.errors import ParseError
from ingest.settings import Settings
from ingest.sources.base import Dataset, Payload, RawTable, Source, bundled_path, file_payload

SOURCE = "reference"
BUNDLED = "reference"

COUNTRIES = RawTable(
    name="raw_reference.countries",
    schema=pl.Schema(
        {
            "iso3": pl.String,
            "iso2": pl.String,
            "iso_numeric": pl.String,
            "m49": pl.String,
            "country_name": pl.String,
            "official_name": pl.String,
            "region_name": pl.String,
            "sub_region_name": pl.String,
            "source_url": pl.String,
        }
    ),
    replace_key=(),
    description="One row per ISO 3166 country or area (datasets/country-codes).",
)
CENSUS_CODES = RawTable(
    name="raw_reference.census_country_codes",
    schema=pl.Schema(
        {
            "census_code": pl.String,
            "census_name": pl.String,
            "iso2": pl.String,
            "list_produced": pl.String,
            "source_url": pl.String,
        }
    ),
    replace_key=(),
    description="One row per Census Schedule C country code (January 2021 list).",
)
COUNTRY_COLUMNS = {
    "ISO3166-1-Alpha-3": "iso3",
    "ISO3166-1-Alpha-2": "iso2",
    "ISO3166-1-numeric": "iso_numeric",
    "M49": "m49",
    "CLDR display name": "country_name",
    "official_name_en": "official_name",
    "Region Name": "region_name",
    "Sub-region Name": "sub_region_name",
    "source_url": "source_url",
}
CENSUS_COLUMNS = {
    "census_cty_code": "census_code",
    "census_name": "census_name",
    "iso2": "iso2",
    "schedule_c_list_produced": "list_produced",
    "source_url": "source_url",
}


def parse_countries(payload: bytes, origin: str) -> dict[str, pl.DataFrame]:
    frame = _read(payload, origin, COUNTRY_COLUMNS).filter(pl.col("iso3").is_not_null())
    return {COUNTRIES.name: frame}


def parse_census_codes(payload: bytes, origin: str) -> dict[str, pl.DataFrame]:
    return {CENSUS_CODES.name: _read(payload, origin, CENSUS_COLUMNS)}


def _read(payload: bytes, origin: str, columns: dict[str, str]) -> pl.DataFrame:
    try:
        frame = pl.read_csv(io.BytesIO(payload), infer_schema_length=0, null_values=[""])
    except Exception as error:
        raise ParseError(f"{origin}: not a readable CSV: {error}") from None
    missing = [name for name in columns if name not in frame.columns]
    if missing:
        raise ParseError(f"{origin}, row 1: missing column(s) {', '.join(missing)}")
    return frame.select([pl.col(old).str.strip_chars().alias(new) for old, new in columns.items()])


COUNTRIES_DATASET = Dataset(SOURCE, "countries", (COUNTRIES,), parse_countries)
CENSUS_CODES_DATASET = Dataset(SOURCE, "census_country_codes", (CENSUS_CODES,), parse_census_codes)
BUNDLED_FILES = (
    (COUNTRIES_DATASET, "country_codes_iso_m49.csv"),
    (CENSUS_CODES_DATASET, "census_schedule_c_country_codes.csv"),
)


def offline() -> Iterator[Payload]:
    for dataset, name in BUNDLED_FILES:
        yield file_payload(dataset, bundled_path(BUNDLED, name))


def live(settings: Settings, client: httpx.Client, **_: object) -> Iterator[Payload]:
    yield from offline()  # reference lists change by pull request, not by download


def from_file(path: Path) -> Iterator[Payload]:
    header = path.read_text(encoding="utf-8", errors="replace").split("\n", 1)[0]
    yield file_payload(
        CENSUS_CODES_DATASET if "census_cty_code" in header else COUNTRIES_DATASET, path
    )


REFERENCE = Source(
    name=SOURCE,
    description="Country code lists (ISO 3166, UN M49, Census Schedule C)",
    licence="ODC-PDDL (datasets/country-codes); U.S. Census Bureau, public domain",
    datasets=(COUNTRIES_DATASET, CENSUS_CODES_DATASET),
    offline=offline,
    live=live,
    from_file=from_file,
)
