"""The long-format USGS tables in `bundled/usgs_mcs/usgs_mcs_*.csv`.

These hold the MCS 2025 rare-earths chapter (read from the official PDF; USGS's own 2025
rare-earth CSVs were not available to the compiler) and a reshaping of the MCS 2023/2024 data
releases. Each row carries the number, the published text, the estimate flag and its source.
"""

from __future__ import annotations

import re

import polars as pl

from ingest.sources.usgs_mcs.cells import CellError, parse_cell
from ingest.sources.usgs_mcs.csvfile import (
    EDITION,
    Row,
    Table,
    edition_year,
    parse_year,
    read_table,
    require_columns,
)
from ingest.sources.usgs_mcs.release import COMMODITY
from ingest.sources.usgs_mcs.tables import IMPORT_SOURCES, US_SALIENT, WORLD_PRODUCTION

SALIENT_COLUMNS = (
    "edition",
    "data_year",
    "metric",
    "unit",
    "value",
    "value_as_published",
    "year_flag",
    "note",
    "source_document",
    "source_url",
    "copy_used_url",
)
WORLD_COLUMNS = (
    "edition",
    "country",
    "measure",
    "data_year",
    "value_t_reo",
    "value_as_published",
    "is_estimate",
    "note",
    "source_document",
    "source_url",
    "copy_used_url",
)
IMPORT_COLUMNS = (
    "edition",
    "commodity_scope",
    "period",
    "rank_in_list",
    "country",
    "share_pct",
    "note",
    "source_document",
    "source_url",
    "copy_used_url",
)
MEASURES = frozenset({"mine_production", "reserves"})
RELEASE_COLUMN = re.compile(r"data-release column (\S+?)[;,]?(?:\s|$)")


def is_salient_header(header: tuple[str, ...]) -> bool:
    return set(header) == set(SALIENT_COLUMNS)


def is_world_header(header: tuple[str, ...]) -> bool:
    return set(header) == set(WORLD_COLUMNS)


def is_import_sources_header(header: tuple[str, ...]) -> bool:
    return set(header) == set(IMPORT_COLUMNS)


def parse_salient(payload: bytes, origin: str) -> dict[str, pl.DataFrame]:
    table = _read(payload, origin, SALIENT_COLUMNS)
    records = []
    for row in table.rows:
        edition = _edition(table, row)
        year = _data_year(table, row, edition)
        flag = row.cells["year_flag"].strip()
        if flag not in {"", "e"}:
            raise table.fail(f"{flag!r} is not a year flag (e or empty)", row, "year_flag")
        records.append(
            {
                "edition": edition,
                "commodity": COMMODITY,
                "year": year,
                "metric": _required(table, row, "metric"),
                "unit": _required(table, row, "unit"),
                **_value(table, row, "value"),
                "is_estimate": flag == "e",
                "published_field": _release_column(row),
                **_common(row),
            }
        )
    return {US_SALIENT.name: pl.DataFrame(records, schema=US_SALIENT.schema)}


def parse_world(payload: bytes, origin: str) -> dict[str, pl.DataFrame]:
    table = _read(payload, origin, WORLD_COLUMNS)
    records = []
    for row in table.rows:
        edition = _edition(table, row)
        measure = _required(table, row, "measure")
        if measure not in MEASURES:
            raise table.fail(
                f"{measure!r} is not one of {', '.join(sorted(MEASURES))}", row, "measure"
            )
        has_year = bool(row.cells["data_year"].strip())
        if has_year != (measure == "mine_production"):
            raise table.fail(
                "mine production needs a year and reserves have none", row, "data_year"
            )
        estimate = row.cells["is_estimate"].strip()
        if estimate not in {"", "yes"}:
            raise table.fail(f"{estimate!r} is not yes or empty", row, "is_estimate")
        records.append(
            {
                "edition": edition,
                "country": _required(table, row, "country"),
                "measure": measure,
                "year": _data_year(table, row, edition) if has_year else None,
                **_value(table, row, "value_t_reo"),
                "is_estimate": estimate == "yes",
                "published_field": _release_column(row),
                "published_type": None,
                **_common(row),
            }
        )
    return {WORLD_PRODUCTION.name: pl.DataFrame(records, schema=WORLD_PRODUCTION.schema)}


def parse_import_sources(payload: bytes, origin: str) -> dict[str, pl.DataFrame]:
    table = _read(payload, origin, IMPORT_COLUMNS)
    records = []
    for row in table.rows:
        rank = row.cells["rank_in_list"].strip()
        if not rank.isdigit():
            raise table.fail(f"{rank!r} is not a rank", row, "rank_in_list")
        records.append(
            {
                "edition": _edition(table, row),
                "commodity_scope": _required(table, row, "commodity_scope"),
                "period": _required(table, row, "period"),
                "rank_in_list": int(rank),
                "country": _required(table, row, "country"),
                "share_pct": _number(table, row, "share_pct"),
                **_common(row),
            }
        )
    return {IMPORT_SOURCES.name: pl.DataFrame(records, schema=IMPORT_SOURCES.schema)}


def _read(payload: bytes, origin: str, columns: tuple[str, ...]) -> Table:
    table = read_table(payload, origin)
    require_columns(table, columns)
    extra = [name for name in table.header if name not in columns]
    if extra:
        raise table.fail(f"unexpected column(s) {', '.join(extra)}")
    if not table.rows:
        raise table.fail("no data rows")
    return table


def _edition(table: Table, row: Row) -> str:
    edition = row.cells["edition"].strip()
    if not EDITION.match(edition):
        raise table.fail(f"{edition!r} is not an edition like MCS2025", row, "edition")
    return edition


def _data_year(table: Table, row: Row, edition: str) -> int:
    year = parse_year(table, row, "data_year")
    if year >= edition_year(edition):
        raise table.fail(f"{edition} cannot publish data for {year}", row, "data_year")
    return year


def _required(table: Table, row: Row, column: str) -> str:
    text = row.cells[column].strip()
    if not text:
        raise table.fail("empty", row, column)
    return text


def _number(table: Table, row: Row, column: str) -> float | None:
    text = row.cells[column].strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise table.fail(f"{text!r} is not a number", row, column) from None


def _value(table: Table, row: Row, column: str) -> dict[str, object]:
    """The number column, checked against the published text where that text is a number."""
    value = _number(table, row, column)
    text = row.cells["value_as_published"].strip()
    try:
        cell = parse_cell(text)
    except CellError:
        cell = None  # prose such as "$260 million": the number column carries the figure
        if value is None:
            raise table.fail(
                f"{text!r} has no number and is no USGS code", row, "value_as_published"
            ) from None
    if cell is not None and cell.value != value:
        raise table.fail(
            f"{column} {value} disagrees with the published text {text!r}", row, column
        )
    return {
        column: value,
        "value_as_published": text or None,
        "value_flag": cell.flag if cell else None,
        "value_bound": cell.bound if cell else None,
    }


def _release_column(row: Row) -> str | None:
    match = RELEASE_COLUMN.search(row.cells["note"])
    return match.group(1) if match else None


def _common(row: Row) -> dict[str, object]:
    return {
        "note": row.cells["note"].strip() or None,
        "source_document": row.cells["source_document"].strip() or None,
        "source_url": row.cells["source_url"].strip() or None,
        "source_row": row.line,
    }
