"""The bundled ISO 3166 / UN M49 country list, read by one parser for every layer: the
reference source loads it into `raw_reference.countries`, the deals register checks its
ISO3 codes against it."""

from __future__ import annotations

from functools import cache

import polars as pl

from ingest.parsing import read_code_list
from ingest.settings import BUNDLED_DIR

COUNTRIES_FILE = BUNDLED_DIR / "reference" / "country_codes_iso_m49.csv"
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


def read_countries(payload: bytes, origin: str) -> pl.DataFrame:
    """One row per country or area with an ISO3 code (the list's other rows have none)."""
    return read_code_list(payload, origin, COUNTRY_COLUMNS).filter(pl.col("iso3").is_not_null())


@cache
def iso3_codes() -> frozenset[str]:
    """ISO 3166 alpha-3 codes of the bundled list."""
    frame = read_countries(COUNTRIES_FILE.read_bytes(), COUNTRIES_FILE.name)
    return frozenset(frame["iso3"].to_list())
