"""U.S. trade by commodity and partner: Census USA Trade Online downloads, whole U.S. dollars.

https://usatrade.census.gov — an analyst saves a report as CSV by hand: title lines (the
report's name, `Current date: MM/DD/YYYY …`, `Measures: <measure>`), then a header
`State,Commodity,Country,Time,<measure>`. Values are quoted whole dollars with thousands
separators; periods are years (`2025`) or partial years (`2026 through January`); commodities
are NAICS or HS codes with their name (`336 Transportation Equipment`) or `All Commodities`;
`World Total` is the world. The download date is the vintage. A measure, column or period this
module does not know is refused, naming the file, row and field: it would change what a value
means.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import polars as pl

from ingest.errors import ParseError
from ingest.http import HttpClient
from ingest.parsing import csv_records
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
from ingest.ziplimits import gunzip_if_gzipped

SOURCE = "usatradeonline"
BUNDLED = "usatradeonline"
BUNDLED_FILES = (
    "state_exports_by_naics_commodities_2026-03-15.csv.gz",
    "state_imports_by_naics_commodities_2026-03-15.csv.gz",
)
# measure → (flow, valuation): exports f.a.s., general imports at customs value
MEASURES = {
    "Total Exports Value ($US)": ("export", "fas"),
    "Customs Value (Gen) ($US)": ("import", "customs"),
}
SYSTEMS = {"NAICS Commodities": "NAICS", "HS Commodities": "HS"}
KNOWN_COLUMNS = ("State", "Commodity", "Country", "Time")
REQUIRED_COLUMNS = ("Commodity", "Country", "Time")
ALL_COMMODITIES = "All Commodities"
MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
PERIOD = re.compile(r"^(\d{4})(?: through (" + "|".join(MONTHS) + r"))?$")
DOLLARS = re.compile(r"^\d{1,3}(?:,\d{3}){0,5}$|^\d{1,18}$")  # whole dollars, a BIGINT
COMMODITY = re.compile(r"^(\d{2,10}) (\S.*)$")

TRADE_BY_COMMODITY = RawTable(
    name="raw_usatradeonline.trade_by_commodity",
    schema=pl.Schema(
        {
            "vintage": pl.String,
            "report_title": pl.String,
            "measure": pl.String,
            "flow": pl.String,
            "valuation": pl.String,
            "state": pl.String,
            "commodity_system": pl.String,
            "commodity": pl.String,
            "commodity_code": pl.String,
            "commodity_name": pl.String,
            "country_name": pl.String,
            "period": pl.String,
            "year": pl.Int32,
            "through_month": pl.Int8,
            "is_partial_period": pl.Boolean,
            "value_usd": pl.Int64,
            "file_row": pl.Int32,
            "source_file": pl.String,
        }
    ),
    replace_key=("vintage", "report_title", "measure"),
    description=(
        "One row per download date (vintage), report, state, commodity, partner and period: "
        "whole USD as published."
    ),
)


def parse_download(payload: bytes, origin: str) -> dict[str, pl.DataFrame]:
    rows = [_trimmed(row) for row in csv_records(gunzip_if_gzipped(payload, origin), origin)]
    header_at = _header_row(rows, origin)
    titles = [row[0] for row in rows[:header_at] if row]
    title, vintage = _title(titles, origin), _vintage(titles, origin)
    measure = _measure(titles, origin)
    header = rows[header_at]
    columns = _columns(header, measure, origin, header_at + 1)
    flow, valuation = MEASURES[measure]
    system = _system(title, origin)
    records = [
        _record(row, columns, origin, number)
        for number, row in enumerate(rows[header_at + 1 :], start=header_at + 2)
        if row
    ]
    if not records:
        raise ParseError(f"{origin}: no data rows after the header (row {header_at + 1})")
    frame = pl.DataFrame(records, schema=_record_schema(), orient="row").with_columns(
        vintage=pl.lit(vintage),
        report_title=pl.lit(title),
        measure=pl.lit(measure),
        flow=pl.lit(flow),
        valuation=pl.lit(valuation),
        commodity_system=pl.lit(system),
        source_file=pl.lit(origin),
    )
    return {TRADE_BY_COMMODITY.name: frame.select(TRADE_BY_COMMODITY.schema.names())}


def _trimmed(row: list[str]) -> list[str]:
    """Cells as published, without the empty cells spreadsheets pad lines with."""
    while row and row[-1].strip() == "":
        row = row[:-1]
    return [cell.strip() for cell in row]


def _header_row(rows: list[list[str]], origin: str) -> int:
    # title lines are one cell each once padding is trimmed; the header is the first row
    # with several
    for index, row in enumerate(rows[:20]):
        if len(row) > 2:
            return index
    raise ParseError(
        f"{origin}: no header row (State, Commodity, Country, Time, <measure>) in the first "
        "20 lines; not a USA Trade Online download"
    )


def _title(titles: list[str], origin: str) -> str:
    if not titles or ":" in titles[0]:
        raise ParseError(
            f"{origin}, row 1: expected the report title, e.g. 'State Exports by NAICS Commodities'"
        )
    return titles[0]


def _line(titles: list[str], label: str, origin: str) -> str:
    for line in titles:
        if line.startswith(f"{label}:"):
            return line.removeprefix(f"{label}:").strip()
    raise ParseError(f"{origin}: no '{label}:' line before the header")


def _vintage(titles: list[str], origin: str) -> str:
    """The download date (`Current date: 03/15/2026 5:00 PM …`) is the vintage."""
    line = _line(titles, "Current date", origin)
    try:
        return datetime.strptime(line.split()[0], "%m/%d/%Y").date().isoformat()
    except (ValueError, IndexError):
        raise ParseError(
            f"{origin}, Current date: {line!r} does not start with MM/DD/YYYY"
        ) from None


def _measure(titles: list[str], origin: str) -> str:
    measure = _line(titles, "Measures", origin)
    if measure not in MEASURES:
        raise ParseError(
            f"{origin}, Measures: {measure!r} is not a measure tradewatch knows "
            f"({', '.join(MEASURES)}); its flow and valuation would be guessed"
        )
    return measure


def _system(title: str, origin: str) -> str:
    for suffix, system in SYSTEMS.items():
        if title.endswith(suffix):
            return system
    raise ParseError(f"{origin}, row 1: title {title!r} names no NAICS or HS commodities")


def _columns(header: list[str], measure: str, origin: str, row: int) -> dict[str, int]:
    unknown = [name for name in header if name not in (*KNOWN_COLUMNS, measure)]
    if unknown:
        raise ParseError(
            f"{origin}, row {row}, column {unknown[0]!r}: not a column tradewatch knows "
            f"(expected {', '.join(KNOWN_COLUMNS)}, {measure})"
        )
    missing = [name for name in (*REQUIRED_COLUMNS, measure) if name not in header]
    if missing or len(set(header)) != len(header):
        raise ParseError(f"{origin}, row {row}: columns missing or repeated: {missing or header}")
    return {name: header.index(name) for name in header} | {"value": header.index(measure)}


def _record(
    row: list[str], columns: dict[str, int], origin: str, number: int
) -> tuple[object, ...]:
    if len(row) > len(columns) - 1:
        raise ParseError(
            f"{origin}, row {number}: {len(row)} values for {len(columns) - 1} columns"
        )
    row = row + [""] * (len(columns) - 1 - len(row))
    commodity = row[columns["Commodity"]]
    code, name = _commodity(commodity, origin, number)
    period = row[columns["Time"]]
    match = PERIOD.match(period)
    if not match:
        raise ParseError(
            f"{origin}, row {number}, Time: {period!r} is not a year or 'YYYY through <Month>'"
        )
    through = MONTHS.index(match.group(2)) + 1 if match.group(2) else 12
    value = row[columns["value"]]
    if not DOLLARS.match(value):
        raise ParseError(f"{origin}, row {number}, value: {value!r} is not a whole-dollar amount")
    country = row[columns["Country"]]
    if not country:
        raise ParseError(f"{origin}, row {number}, Country: empty")
    state = row[columns["State"]] if "State" in columns else None
    return (
        state, commodity, code, name, country, period,
        int(match.group(1)), through, through < 12, int(value.replace(",", "")), number,
    )  # fmt: skip


def _commodity(label: str, origin: str, number: int) -> tuple[str | None, str]:
    if label == ALL_COMMODITIES:
        return None, label
    match = COMMODITY.match(label)
    if not match:
        raise ParseError(
            f"{origin}, row {number}, Commodity: {label!r} is neither '{ALL_COMMODITIES}' nor "
            "a code and its name"
        )
    return match.group(1), match.group(2)


def _record_schema() -> list[tuple[str, pl.DataType]]:
    schema = TRADE_BY_COMMODITY.schema
    names = (
        "state", "commodity", "commodity_code", "commodity_name", "country_name", "period",
        "year", "through_month", "is_partial_period", "value_usd", "file_row",
    )  # fmt: skip
    return [(name, schema[name]) for name in names]


DOWNLOAD = Dataset(SOURCE, "trade_by_commodity", (TRADE_BY_COMMODITY,), parse_download)


def offline(request: SourceRequest = NO_REQUEST) -> Iterator[Payload]:
    for name in BUNDLED_FILES:
        yield from from_file(bundled_path(BUNDLED, name))


def live(
    settings: Settings, client: HttpClient, request: SourceRequest = NO_REQUEST
) -> Iterator[Payload]:
    yield from offline()  # USA Trade Online has no public API: reports are saved by hand


def from_file(path: Path, request: SourceRequest = NO_REQUEST) -> Iterator[Payload]:
    # each download is its own chunk in the ledger: the exports and imports reports of one
    # day are both current
    yield file_payload(DOWNLOAD, path, chunk=path.name)


USATRADEONLINE = Source(
    name=SOURCE,
    description="U.S. exports and general imports by NAICS/HS commodity and partner, annual "
    "(USA Trade Online downloads)",
    licence="U.S. Census Bureau, public domain",
    datasets=(DOWNLOAD,),
    offline=offline,
    live=live,
    from_file=from_file,
)
