"""BACI's raw tables and the names its files carry."""

from __future__ import annotations

import re

import polars as pl

from ingest.errors import ParseError
from ingest.sources.base import RawTable

SOURCE = "baci"
BUNDLED = "baci"
TRADE_HEADER = ("t", "i", "j", "k", "v", "q")
TRADE_MEMBER = re.compile(r"^BACI_(HS\d{2})_Y(\d{4})_(V\d{6}[a-z]?)\.csv$")
COUNTRY_MEMBER = re.compile(r"^country_codes_(V\d{6}[a-z]?)\.csv$")
# the atlas extracts carry neither version nor nomenclature: both are stated by their
# publisher (critical-materials-atlas: BACI_HS17_Y2022_V202601 / _Y2024_) and recorded here
ATLAS_VINTAGE, ATLAS_HS_REVISION = "V202601", "HS17"
ATLAS_FLOWS_NAME = re.compile(r"baci_(\d{4})\.csv$")

TRADE_FLOWS = RawTable(
    name="raw_baci.trade_flows",
    schema=pl.Schema(
        {
            "vintage": pl.String,
            "hs_revision": pl.String,
            "t": pl.Int32,
            "i": pl.String,
            "j": pl.String,
            "k": pl.String,
            "v": pl.Float64,
            "q": pl.Float64,
        }
    ),
    replace_key=("vintage", "hs_revision", "t"),
    partition_by=("t",),
    description="One row per release, year, exporter, importer and HS6 product, as published "
    "(v thousands of USD, q tonnes; `NA` quantities are null).",
)
COUNTRY_CODES = RawTable(
    name="raw_baci.country_codes",
    schema=pl.Schema(
        {
            "vintage": pl.String,
            "country_code": pl.String,
            "country_name": pl.String,
            "country_iso2": pl.String,
            "country_iso3": pl.String,
        }
    ),
    replace_key=("vintage",),
    description="One row per release and BACI numeric country code.",
)
ATLAS_FLOWS = RawTable(
    name="raw_baci.atlas_flows",
    schema=pl.Schema(
        {
            "vintage": pl.String,
            "hs_revision": pl.String,
            "year": pl.Int32,
            "i": pl.String,
            "j": pl.String,
            "cmd": pl.String,
            "value": pl.Float64,
        }
    ),
    replace_key=("vintage", "hs_revision", "year"),
    description="One row per year, exporter ISO3, importer ISO3 and HS6: the atlas CSV extract "
    "(value in USD, i.e. BACI thousands times 1,000 by the extractor; no quantity).",
)
ATLAS_TRADE = RawTable(
    name="raw_baci.atlas_trade",
    schema=pl.Schema(
        {
            "vintage": pl.String,
            "hs_revision": pl.String,
            "year": pl.Int32,
            "exporter": pl.String,
            "exporter_name": pl.String,
            "importer": pl.String,
            "importer_name": pl.String,
            "hs6": pl.String,
            "material": pl.String,
            "value_kusd": pl.Float64,
            "qty_t": pl.Float64,
        }
    ),
    replace_key=("vintage", "hs_revision", "year"),
    description="One row per year, exporter ISO3, importer ISO3 and HS6: the atlas parquet "
    "extract in BACI's native units (thousand USD, tonnes).",
)
ATLAS_SUMMARY = RawTable(
    name="raw_baci.atlas_summary",
    schema=pl.Schema(
        {
            "vintage": pl.String,
            "dataset": pl.String,
            "hs6": pl.String,
            "year": pl.Int32,
            "hs_vintage": pl.String,
            "flow_role": pl.String,
            "country_iso2": pl.String,
            "country_name": pl.String,
            "value_usd": pl.Int64,
            "quantity_tonnes": pl.Float64,
            "share_of_world": pl.Float64,
            "china_export_share": pl.Float64,
            "note": pl.String,
            "source_url": pl.String,
        }
    ),
    replace_key=("vintage",),
    description="One row per HS6, year, role and country: world totals and the China/USA/"
    "Türkiye rows of the top-8 lists (absence means 'not in the top 8', not zero).",
)


COUNTRY_COLUMNS = {  # the release table's header has changed between versions
    "country_code": ("country_code",),
    "country_name": ("country_name", "country_name_abbreviation"),
    "country_iso2": ("country_iso2", "iso_2digit_alpha"),
    "country_iso3": ("country_iso3", "iso_3digit_alpha"),
}


def country_columns(header: list[str], origin: str, member: str) -> dict[str, str]:
    chosen: dict[str, str] = {}
    for column, spellings in COUNTRY_COLUMNS.items():
        found = [name for name in spellings if name in header]
        if not found:
            raise ParseError(
                f"{origin}: {member}, line 1: no {' or '.join(spellings)} column "
                f"(header: {','.join(header)})"
            )
        chosen[column] = found[0]
    return chosen


def basename(name: str) -> str:
    return name.replace("\\", "/").rsplit("/", 1)[-1]


def matched(pattern: re.Pattern[str], name: str) -> re.Match[str]:
    """The match of a member name already chosen by `pattern`."""
    match = pattern.match(basename(name))
    if match is None:
        raise ParseError(f"{name}: not named like {pattern.pattern}")
    return match
