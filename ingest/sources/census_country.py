"""U.S. goods trade by partner and month: Census Bureau, `country.xlsx` (millions of USD).

https://www.census.gov/foreign-trade/balance/country.xlsx — exports (total, f.a.s.) and general
imports (customs value) by partner country or grouping since 1985, not seasonally adjusted.
Every row keeps its vintage: the last month with data in the workbook it came from.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import polars as pl

from ingest.errors import ParseError
from ingest.http import XLSX, HttpClient, fetch_bytes
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
from ingest.workbook import read_sheet
from ingest.ziplimits import gunzip_if_gzipped

SOURCE = "census-country"
BUNDLED = "census_country"
SHEET = "country"
MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
FLOW_PREFIXES = {"I": "import", "E": "export"}
WORKBOOK_COLUMNS = (
    "year", "CTY_CODE", "CTYNAME",
    *(f"I{month}" for month in MONTHS), "IYR",
    *(f"E{month}" for month in MONTHS), "EYR",
)  # fmt: skip
WORLD_NSA_CODE = "0015"  # "World, not seasonally adjusted": marks the last published month
TURKEY_CODE, TURKEY_NAME = "4890", "Turkey"
# the 2026 Turkey series is a third-party rounding of a Census workbook (see PROVENANCE.md)
DERIVED_SERIES_URL = "github.com/corbett-hobbs/congress-ideology"
BUNDLED_WORKBOOKS = (
    "country_xlsx_2018-08.xlsx",
    "country_xlsx_2019-10.xlsx",
    "country_xlsx_2022-01_resaved-by-third-party.xlsx",
    "country_xlsx_2023-01.xlsx",
    "country_xlsx_2024-06.xlsx",
)
# the oldest vintage on hand (data 1985–2011), a spreadsheet's CSV export of country.xls
BUNDLED_WORKBOOK_CSV = "country_table1_csv_2012-02.csv.gz"
BUNDLED_DERIVED_MONTHLY = "us_turkey_goods_monthly.csv"
BUNDLED_DERIVED_ANNUAL = "us_turkey_goods_annual.csv"

MONTHLY_FLOWS = RawTable(
    name="raw_census_country.monthly_flows",
    schema=pl.Schema(
        {
            "vintage": pl.String,
            "year": pl.Int32,
            "month": pl.Int8,
            "census_code": pl.String,
            "partner_name": pl.String,
            "flow": pl.String,
            "value_musd": pl.Float64,
            "is_rounded": pl.Boolean,
        }
    ),
    replace_key=("vintage",),
    description="One row per vintage, partner, month and flow; millions of USD as published.",
)
ANNUAL_TOTALS = RawTable(
    name="raw_census_country.annual_totals",
    schema=pl.Schema(
        {
            "vintage": pl.String,
            "year": pl.Int32,
            "census_code": pl.String,
            "partner_name": pl.String,
            "flow": pl.String,
            "value_musd": pl.Float64,
            "is_rounded": pl.Boolean,
        }
    ),
    replace_key=("vintage",),
    description="One row per vintage, partner, year and flow: the workbook's own IYR/EYR.",
)


def parse_workbook(payload: bytes, origin: str) -> dict[str, pl.DataFrame]:
    """Melt the wide workbook into monthly flows and annual totals, values as published."""
    return _melted(_read_sheet(payload, origin), origin)


def parse_workbook_csv(payload: bytes, origin: str) -> dict[str, pl.DataFrame]:
    """The same workbook saved as CSV by a spreadsheet (optionally gzipped): same columns,
    same values, so the same vintage rule and the same tables."""
    text = gunzip_if_gzipped(payload, origin)
    sheet = read_text_csv(text, origin, encoding="utf8-lossy")
    return _melted(_checked_sheet(sheet, origin, where=origin), origin)


def _melted(sheet: pl.DataFrame, origin: str) -> dict[str, pl.DataFrame]:
    vintage_year, vintage_month = _last_published_month(sheet, origin)
    vintage = f"{vintage_year}-{vintage_month:02d}"
    sheet = sheet.filter(pl.col("year") <= vintage_year)
    monthly = (
        _melt(sheet, [f"{p}{m}" for p in FLOW_PREFIXES for m in MONTHS])
        .with_columns(month=pl.col("column").str.slice(1).replace_strict(_month_numbers()))
        .filter((pl.col("year") < vintage_year) | (pl.col("month") <= vintage_month))
    )
    annual = _melt(sheet, ["IYR", "EYR"])
    return {
        MONTHLY_FLOWS.name: _finish(monthly, vintage, MONTHLY_FLOWS),
        ANNUAL_TOTALS.name: _finish(annual, vintage, ANNUAL_TOTALS),
    }


def parse_derived_monthly(payload: bytes, origin: str) -> dict[str, pl.DataFrame]:
    """Turkey's months from the 2026-derived series, published rounded to $0.1 million."""
    rows = _derived_rows(payload, origin, ("year", "month", "exports_usd_mn", "imports_usd_mn"))
    last = rows.select(pl.max_horizontal(pl.col("year") * 100 + pl.col("month")).max()).item()
    vintage = f"{last // 100}-{last % 100:02d}"
    frame = _derived_flows(rows, ["year", "month"])
    return {MONTHLY_FLOWS.name: _finish(frame, vintage, MONTHLY_FLOWS, is_rounded=True)}


def parse_derived_annual(payload: bytes, origin: str) -> dict[str, pl.DataFrame]:
    """Turkey's annual columns from the same series; the partial-year note names the vintage."""
    rows = _derived_rows(payload, origin, ("year", "exports_usd_mn", "imports_usd_mn", "note"))
    vintage = _annual_vintage(rows, origin)
    frame = _derived_flows(rows, ["year"])
    return {ANNUAL_TOTALS.name: _finish(frame, vintage, ANNUAL_TOTALS, is_rounded=True)}


def _read_sheet(payload: bytes, origin: str) -> pl.DataFrame:
    # every cell as text: year and codes keep their leading zeros, and numbers come out at
    # Excel's 15 significant digits, without binary artefacts such as 344.38165300000003
    sheet = read_sheet(payload, origin, SHEET, infer_schema_length=0)
    return _checked_sheet(sheet, origin, where=f"{origin}, sheet '{SHEET}'")


def _checked_sheet(sheet: pl.DataFrame, origin: str, *, where: str) -> pl.DataFrame:
    # columns are read by their header, so a new column order is harmless; a new or missing
    # column is not
    if sorted(sheet.columns) != sorted(WORKBOOK_COLUMNS):
        raise ParseError(
            f"{where}, row 1: columns {_drift(sheet.columns)}; "
            f"expected {', '.join(WORKBOOK_COLUMNS)}"
        )
    sheet = sheet.with_row_index("row", offset=2)
    sheet = sheet.filter(pl.col("year").str.strip_chars().fill_null("") != "")  # blank spacers
    return _typed(sheet, where)


def _typed(sheet: pl.DataFrame, where: str) -> pl.DataFrame:
    value_columns = WORKBOOK_COLUMNS[3:]
    casts = {"year": pl.Int32, **dict.fromkeys(value_columns, pl.Float64)}
    sheet = cast_columns(sheet, casts, where, row="row", field_label="column {}", nullable=False)
    return sheet.with_columns(
        census_code=pl.col("CTY_CODE").str.strip_chars(),
        partner_name=pl.col("CTYNAME").str.strip_chars(),
    )


def _last_published_month(sheet: pl.DataFrame, origin: str) -> tuple[int, int]:
    """Unpublished months are written as 0: the newest non-zero World month is the vintage."""
    world = sheet.filter(pl.col("census_code") == WORLD_NSA_CODE).sort("year")
    if world.height == 0:
        raise ParseError(f"{origin}, sheet '{SHEET}': no World ({WORLD_NSA_CODE}) row")
    for row in reversed(world.rows(named=True)):
        for number in range(12, 0, -1):
            month = MONTHS[number - 1]
            if row[f"I{month}"] or row[f"E{month}"]:
                return row["year"], number
    raise ParseError(f"{origin}, sheet '{SHEET}': the World row has no published month")


def _melt(sheet: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    return sheet.unpivot(
        index=["year", "census_code", "partner_name"],
        on=columns,
        variable_name="column",
        value_name="value_musd",
    ).with_columns(flow=pl.col("column").str.head(1).replace_strict(FLOW_PREFIXES))


def _month_numbers() -> dict[str, int]:
    return {month: number for number, month in enumerate(MONTHS, start=1)}


def _finish(
    frame: pl.DataFrame, vintage: str, table: RawTable, *, is_rounded: bool = False
) -> pl.DataFrame:
    return (
        frame.with_columns(vintage=pl.lit(vintage), is_rounded=pl.lit(is_rounded))
        .select([pl.col(name).cast(dtype) for name, dtype in table.schema.items()])
        .sort([c for c in ("year", "month", "census_code", "flow") if c in table.schema])
    )


def _derived_rows(payload: bytes, origin: str, needed: tuple[str, ...]) -> pl.DataFrame:
    rows = require_columns(read_text_csv(payload, origin), (*needed, "source_url"), origin)
    rows = rows.with_row_index("row", offset=2).filter(
        pl.col("source_url").str.contains(DERIVED_SERIES_URL, literal=True)
    )
    if rows.height == 0:
        raise ParseError(f"{origin}: no rows from the derived series ({DERIVED_SERIES_URL})")
    numeric = {
        "year": pl.Int32,
        "month": pl.Int8,
        "exports_usd_mn": pl.Float64,
        "imports_usd_mn": pl.Float64,
    }
    casts = {column: dtype for column, dtype in numeric.items() if column in needed}
    return cast_columns(rows, casts, origin, row="row", nullable=False)


def _derived_flows(rows: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    return rows.unpivot(
        index=keys,
        on=["exports_usd_mn", "imports_usd_mn"],
        variable_name="column",
        value_name="value_musd",
    ).with_columns(
        flow=pl.col("column").replace_strict(
            {"exports_usd_mn": "export", "imports_usd_mn": "import"}
        ),
        census_code=pl.lit(TURKEY_CODE),
        partner_name=pl.lit(TURKEY_NAME),
    )


def _annual_vintage(rows: pl.DataFrame, origin: str) -> str:
    partial = rows.filter(pl.col("note").str.contains("PARTIAL YEAR", literal=True))
    if partial.height == 0:
        return f"{rows.select(pl.col('year').max()).item()}-12"
    note = partial["note"][0]
    match = re.search(r"January-(\w+) (\d{4})", note)
    if not match or match.group(1).upper()[:3] not in MONTHS:
        raise ParseError(f"{origin}: cannot read the last month from the note {note!r}")
    return f"{match.group(2)}-{MONTHS.index(match.group(1).upper()[:3]) + 1:02d}"


def _drift(columns: list[str]) -> str:
    missing = [c for c in WORKBOOK_COLUMNS if c not in columns]
    extra = [c for c in columns if c not in WORKBOOK_COLUMNS]
    if not missing and not extra:
        return "repeated"
    return f"missing {missing or 'none'}, unexpected {extra or 'none'}"


WORKBOOK = Dataset(SOURCE, "workbook", (MONTHLY_FLOWS, ANNUAL_TOTALS), parse_workbook)
WORKBOOK_CSV = Dataset(SOURCE, "workbook_csv", (MONTHLY_FLOWS, ANNUAL_TOTALS), parse_workbook_csv)
DERIVED_MONTHLY = Dataset(SOURCE, "turkey_derived_monthly", (MONTHLY_FLOWS,), parse_derived_monthly)
DERIVED_ANNUAL = Dataset(SOURCE, "turkey_derived_annual", (ANNUAL_TOTALS,), parse_derived_annual)


def offline(request: SourceRequest = NO_REQUEST) -> Iterator[Payload]:
    yield file_payload(WORKBOOK_CSV, bundled_path(BUNDLED, BUNDLED_WORKBOOK_CSV))
    for name in BUNDLED_WORKBOOKS:
        yield file_payload(WORKBOOK, bundled_path(BUNDLED, name))
    yield file_payload(DERIVED_MONTHLY, bundled_path(BUNDLED, BUNDLED_DERIVED_MONTHLY))
    yield file_payload(DERIVED_ANNUAL, bundled_path(BUNDLED, BUNDLED_DERIVED_ANNUAL))


def live(
    settings: Settings, client: HttpClient, request: SourceRequest = NO_REQUEST
) -> Iterator[Payload]:
    url = settings.census_balance_url
    yield Payload(WORKBOOK, url, lambda: fetch_bytes(client, url, expected=XLSX))


def from_file(path: Path, request: SourceRequest = NO_REQUEST) -> Iterator[Payload]:
    if path.name.lower().endswith((".csv", ".csv.gz")):
        header = gunzip_if_gzipped(path.read_bytes(), path.name)[:200].decode("utf-8", "replace")
        if header.lstrip("\ufeff").startswith("year,CTY_CODE"):
            yield file_payload(WORKBOOK_CSV, path)
        else:
            yield file_payload(DERIVED_MONTHLY if "month" in header else DERIVED_ANNUAL, path)
    else:
        yield file_payload(WORKBOOK, path)


CENSUS_COUNTRY = Source(
    name=SOURCE,
    description="U.S. exports and general imports by partner and month (country.xlsx)",
    licence="U.S. Census Bureau, public domain",
    datasets=(WORKBOOK, WORKBOOK_CSV, DERIVED_MONTHLY, DERIVED_ANNUAL),
    offline=offline,
    live=live,
    from_file=from_file,
)
