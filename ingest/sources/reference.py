"""Reference code lists: ISO 3166 / UN M49 countries, Census Schedule C codes, the HS 2022
nomenclature (chapters, headings, subheadings and sections) and the rare-earth HS6 basket.

Copies of public files (see `bundled/reference/PROVENANCE.md`); codes stay text, and `NA`
is Namibia, not a missing value.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import polars as pl

from ingest.basket import BASKET_COLUMNS, BASKET_FILE, BASKET_FLAGS, read_basket
from ingest.codes import COUNTRIES_FILE, read_countries
from ingest.csvlimits import read_line
from ingest.http import HttpClient
from ingest.parsing import cast_columns, read_code_list
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
HS_NOMENCLATURE = "HS2022"  # datasets/harmonized-system, datapackage version "2022.0"
HS_CODES = RawTable(
    name="raw_reference.hs_codes",
    schema=pl.Schema(
        {
            "nomenclature": pl.String,
            "section": pl.String,
            "hs_code": pl.String,
            "description": pl.String,
            "parent_code": pl.String,
            "level": pl.Int32,
            "source_url": pl.String,
        }
    ),
    replace_key=("nomenclature",),
    description="One row per HS code (2, 4 or 6 digits, plus Comtrade's TOTAL row).",
)
HS_SECTIONS = RawTable(
    name="raw_reference.hs_sections",
    schema=pl.Schema(
        {
            "nomenclature": pl.String,
            "section": pl.String,
            "section_name": pl.String,
            "source_url": pl.String,
        }
    ),
    replace_key=("nomenclature",),
    description="One row per HS section (I–XXI).",
)
RARE_EARTH_BASKET = RawTable(
    name="raw_reference.rare_earth_hs_basket",
    schema=pl.Schema(
        {name: pl.Boolean if name in BASKET_FLAGS else pl.String for name in BASKET_COLUMNS}
    ),
    replace_key=(),
    description="One row per HS6 code of the rare-earth basket, with its value-chain stage.",
)
CENSUS_COLUMNS = {
    "census_cty_code": "census_code",
    "census_name": "census_name",
    "iso2": "iso2",
    "schedule_c_list_produced": "list_produced",
    "source_url": "source_url",
}
HS_CODE_COLUMNS = {
    "section": "section",
    "hscode": "hs_code",
    "description": "description",
    "parent": "parent_code",
    "level": "level",
    "source_url": "source_url",
}
HS_SECTION_COLUMNS = {"section": "section", "name": "section_name", "source_url": "source_url"}


def parse_countries(payload: bytes, origin: str) -> dict[str, pl.DataFrame]:
    return {COUNTRIES.name: read_countries(payload, origin)}


def parse_census_codes(payload: bytes, origin: str) -> dict[str, pl.DataFrame]:
    return {CENSUS_CODES.name: read_code_list(payload, origin, CENSUS_COLUMNS)}


def parse_hs_codes(payload: bytes, origin: str) -> dict[str, pl.DataFrame]:
    frame = read_code_list(payload, origin, HS_CODE_COLUMNS)
    frame = cast_columns(frame, {"level": pl.Int32}, origin, nullable=False)
    frame = frame.with_columns(nomenclature=pl.lit(HS_NOMENCLATURE))
    return {HS_CODES.name: frame.select(HS_CODES.schema.names())}


def parse_hs_sections(payload: bytes, origin: str) -> dict[str, pl.DataFrame]:
    frame = read_code_list(payload, origin, HS_SECTION_COLUMNS)
    frame = frame.with_columns(nomenclature=pl.lit(HS_NOMENCLATURE))
    return {HS_SECTIONS.name: frame.select(HS_SECTIONS.schema.names())}


def parse_rare_earth_basket(payload: bytes, origin: str) -> dict[str, pl.DataFrame]:
    rows = read_basket(payload, origin)
    frame = pl.DataFrame(rows, schema=RARE_EARTH_BASKET.schema, orient="row")
    return {RARE_EARTH_BASKET.name: frame}


COUNTRIES_DATASET = Dataset(SOURCE, "countries", (COUNTRIES,), parse_countries)
CENSUS_CODES_DATASET = Dataset(SOURCE, "census_country_codes", (CENSUS_CODES,), parse_census_codes)
HS_CODES_DATASET = Dataset(SOURCE, "hs_codes", (HS_CODES,), parse_hs_codes)
HS_SECTIONS_DATASET = Dataset(SOURCE, "hs_sections", (HS_SECTIONS,), parse_hs_sections)
RARE_EARTH_BASKET_DATASET = Dataset(
    SOURCE, "rare_earth_hs_basket", (RARE_EARTH_BASKET,), parse_rare_earth_basket
)
BUNDLED_FILES = (
    (COUNTRIES_DATASET, COUNTRIES_FILE.name),
    (CENSUS_CODES_DATASET, "census_schedule_c_country_codes.csv"),
    (HS_CODES_DATASET, "harmonized_system_hs2022.csv"),
    (HS_SECTIONS_DATASET, "harmonized_system_sections.csv"),
    (RARE_EARTH_BASKET_DATASET, BASKET_FILE.name),
)


def offline(request: SourceRequest = NO_REQUEST) -> Iterator[Payload]:
    for dataset, name in BUNDLED_FILES:
        yield file_payload(dataset, bundled_path(BUNDLED, name))


def live(
    settings: Settings, client: HttpClient, request: SourceRequest = NO_REQUEST
) -> Iterator[Payload]:
    yield from offline()  # reference lists change by pull request, not by download


def from_file(path: Path, request: SourceRequest = NO_REQUEST) -> Iterator[Payload]:
    with path.open("rb") as handle:
        header = read_line(handle, path.name).decode("utf-8", errors="replace")
    if "hscode" in header:
        yield file_payload(HS_CODES_DATASET, path)
    elif header.lstrip("\ufeff").startswith("section,name"):
        yield file_payload(HS_SECTIONS_DATASET, path)
    elif header.lstrip("\ufeff").startswith("hs6,"):
        yield file_payload(RARE_EARTH_BASKET_DATASET, path)
    else:
        yield file_payload(
            CENSUS_CODES_DATASET if "census_cty_code" in header else COUNTRIES_DATASET, path
        )


REFERENCE = Source(
    name=SOURCE,
    description="Country code lists (ISO 3166, UN M49, Census Schedule C); HS 2022 nomenclature; "
    "the rare-earth HS6 basket",
    licence="ODC-PDDL (datasets/country-codes, datasets/harmonized-system); "
    "U.S. Census Bureau, public domain",
    datasets=(
        COUNTRIES_DATASET,
        CENSUS_CODES_DATASET,
        HS_CODES_DATASET,
        HS_SECTIONS_DATASET,
        RARE_EARTH_BASKET_DATASET,
    ),
    offline=offline,
    live=live,
    from_file=from_file,
)
