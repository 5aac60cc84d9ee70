"""Comtrade records from API JSON bodies, API CSV files and the atlas's trimmed CSV: every
field typed as published, exact duplicates removed and counted."""

from __future__ import annotations

import gzip
import json
import re
import zlib
from typing import Any

import polars as pl
from polars.datatypes import DataTypeClass

from ingest.errors import ParseError
from ingest.parsing import cast_columns, read_text_csv
from ingest.quality import ExpectationOutcome
from ingest.sources.base import Parsed
from ingest.sources.comtrade.records import DUPLICATES_REMOVED, FIELDS, NATURAL_KEY, RECORDS


def parse_response(payload: bytes, origin: str, *, vintage: str) -> Parsed:
    """A response body `{"elapsedTime", "count", "data": [...], "error"}`."""
    try:
        body = json.loads(payload)
    except ValueError as error:
        raise ParseError(f"{origin}: not JSON: {error}") from None
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise ParseError(f"{origin}: no `data` list in the response")
    if body.get("error"):
        raise ParseError(f"{origin}: the response reports an error: {body['error']}")
    strings = _strings_from_records(body["data"], origin)
    return _finish(strings, origin, vintage=vintage, layout="api", where="data[{}]", first=0)


def parse_api_csv(payload: bytes, origin: str, *, vintage: str) -> Parsed:
    """The API's CSV format (same field names); columns a downloader appended are ignored."""
    frame = read_text_csv(payload, origin)
    lowered = {column.lower(): column for column in frame.columns}
    missing = [api for api, _, _ in FIELDS if api.lower() not in lowered]
    if missing:
        raise ParseError(f"{origin}, row 1: missing Comtrade field(s) {', '.join(missing)}")
    strings = frame.select(pl.col(lowered[api.lower()]).alias(column) for api, column, _ in FIELDS)
    return _finish(strings, origin, vintage=vintage, layout="api", where="row {}", first=2)


ATLAS_COLUMNS = {
    "reporter": "reporter_code",
    "partner": "partner_code",
    "cmd": "cmd_code",
    "flow": "flow_code",
    "value": "primary_value",
    "netwgt": "net_wgt",
    "qty": "qty",
    "qtyunit": "qty_unit_code",
}
ATLAS_NAME = re.compile(r"comtrade_(\d{4})\.csv(\.gz)?$")


def parse_atlas_trimmed(payload: bytes, origin: str, *, vintage: str) -> Parsed:
    """critical-materials-atlas's nine-column trim (`year,reporter,partner,cmd,flow,value,
    netwgt,qty,qtyunit`; the 2024 file has no year, qty or qtyunit). The breakdown fields
    were dropped, so they stay null and such rows never count as totals downstream."""
    if payload[:2] == b"\x1f\x8b":
        try:
            payload = gzip.decompress(payload)
        except (OSError, EOFError, zlib.error) as error:  # cut or corrupt gzip
            raise ParseError(f"{origin}: not a readable gzip file: {error}") from None
    frame = read_text_csv(payload, origin)
    needed = ("reporter", "partner", "cmd", "flow", "value")
    missing = [column for column in needed if column not in frame.columns]
    if missing:
        raise ParseError(f"{origin}, row 1: missing column(s) {', '.join(missing)}")
    if "year" not in frame.columns:
        match = ATLAS_NAME.search(origin.rsplit("/", 1)[-1])
        if not match:
            raise ParseError(
                f"{origin}: no year column, and the file name does not name "
                "the year (comtrade_YYYY.csv)"
            )
        frame = frame.with_columns(year=pl.lit(match.group(1)))
    present = {
        source: target for source, target in ATLAS_COLUMNS.items() if source in frame.columns
    }
    strings = frame.select(
        *(pl.col(source).alias(target) for source, target in present.items()),
        pl.col("year").alias("period"),
        pl.col("year").alias("ref_year"),
        pl.lit("C").alias("type_code"),
        pl.lit("A").alias("freq_code"),
    )
    strings = strings.with_columns(
        pl.lit(None, pl.String).alias(column)
        for _, column, _ in FIELDS
        if column not in strings.columns
    ).select([column for _, column, _ in FIELDS])
    return _finish(
        strings, origin, vintage=vintage, layout="atlas_trimmed", where="row {}", first=2
    )


def _strings_from_records(records: list[Any], origin: str) -> pl.DataFrame:
    """Every field as text (None stays None), field names matched case-insensitively
    (one public loader met `isnetWgtEstimated`)."""
    columns: dict[str, list[str | None]] = {column: [] for _, column, _ in FIELDS}
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            raise ParseError(f"{origin}: data[{index}] is not a record")
        lowered = {str(key).lower(): value for key, value in record.items()}
        for api, column, _ in FIELDS:
            if api.lower() not in lowered:
                raise ParseError(f"{origin}: data[{index}] has no field {api}")
            columns[column].append(_text(lowered[api.lower()]))
    return pl.DataFrame(columns, schema={column: pl.String for column in columns})


def _text(value: object) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _finish(
    strings: pl.DataFrame, origin: str, *, vintage: str, layout: str, where: str, first: int
) -> Parsed:
    typed = _typed(strings.with_row_index("_row", offset=first), origin, where)
    typed = typed.with_columns(vintage=pl.lit(vintage), layout=pl.lit(layout))
    return _deduplicated(typed.select(list(RECORDS.schema)), origin)


def _typed(frame: pl.DataFrame, origin: str, where: str) -> pl.DataFrame:
    casts = {column: _parsed(column, dtype) for _, column, dtype in FIELDS if dtype != pl.String}
    dtypes = {column: dtype for _, column, dtype in FIELDS}
    frame = cast_columns(
        frame,
        casts,
        origin,
        row_label=where,
        problem=lambda column: f"is not a valid {dtypes[column]}",
    )
    return frame.drop("_row")


def _parsed(column: str, dtype: DataTypeClass) -> pl.Expr:
    text = pl.col(column).str.strip_chars()
    if dtype == pl.Boolean:
        return text.str.to_lowercase().replace_strict(
            {"true": True, "false": False}, default=None, return_dtype=pl.Boolean
        )
    if dtype == pl.Float64:
        return text.cast(pl.Float64, strict=False)
    return text.cast(pl.Float64, strict=False).cast(dtype, strict=False)


def _deduplicated(frame: pl.DataFrame, origin: str) -> Parsed:
    """Exact duplicates (every field equal) are one record sent twice: keep one, count the
    rest, never sum them. Records that share a key but differ stay, and the suite's
    uniqueness expectation then stops the load."""
    distinct = frame.unique(maintain_order=True).sort(
        list(NATURAL_KEY), nulls_last=True, maintain_order=True
    )
    removed = frame.height - distinct.height
    repeated = (
        frame.filter(frame.is_duplicated())
        .unique(maintain_order=True)
        .select(list(NATURAL_KEY))
        .head(5)
        .to_dicts()
    )
    outcome = ExpectationOutcome(
        raw_table=RECORDS.name,
        expectation_type=DUPLICATES_REMOVED,
        column_name=None,
        kwargs=json.dumps({"compared": "every field", "origin": origin}, sort_keys=True),
        success=True,
        element_count=frame.height,
        unexpected_count=removed,
        unexpected_sample=json.dumps(repeated) if repeated else None,
        observed_value=json.dumps(removed),
    )
    return Parsed({RECORDS.name: distinct}, (outcome,))
