"""Raw tables and pure parsers for Census International Trade API responses.

A response is a JSON array of arrays: row 0 is the header, every cell is a string, and
values are whole U.S. dollars. Columns are found by header name, never by position.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TypeGuard

import httpx
import polars as pl

from ingest.errors import ParseError, SchemaDrift
from ingest.parsing import csv_records
from ingest.sources.base import RawTable
from ingest.ziplimits import gunzip_if_gzipped

FLOWS = {"exports": "export", "imports": "import"}  # endpoint → flow
COMMODITY_VARIABLE = {"export": "E_COMMODITY", "import": "I_COMMODITY"}

TURKEY_BY_HS = RawTable(
    name="raw_census_hs.turkey_by_hs",
    schema=pl.Schema(
        {
            "flow": pl.String,
            "month": pl.String,
            "cty_code": pl.String,
            "cty_name": pl.String,
            "comm_lvl": pl.String,
            "commodity": pl.String,
            "commodity_sdesc": pl.String,
            "commodity_ldesc": pl.String,
            "all_val_mo": pl.Int64,
            "gen_val_mo": pl.Int64,
            "con_val_mo": pl.Int64,
            "requested_month": pl.String,
            "request_url": pl.String,
        }
    ),
    replace_key=("flow", "month", "comm_lvl"),
    description=(
        "One row per flow, month, HS level and HS code: U.S. trade with Turkey (CTY_CODE 4890) "
        "as the Census API returns it, whole USD."
    ),
)
RARE_EARTHS_BY_PARTNER = RawTable(
    name="raw_census_hs.rare_earths_by_partner",
    schema=pl.Schema(
        {
            "flow": pl.String,
            "month": pl.String,
            "cty_code": pl.String,
            "cty_name": pl.String,
            "comm_lvl": pl.String,
            "commodity": pl.String,
            "commodity_sdesc": pl.String,
            "all_val_mo": pl.Int64,
            "gen_val_mo": pl.Int64,
            "con_val_mo": pl.Int64,
            "qty_1_mo": pl.Int64,
            "qty_1_mo_flag": pl.String,
            "gen_qy1_mo": pl.Int64,
            "gen_qy1_mo_flag": pl.String,
            "unit_qy1": pl.String,
            "commodity_stem": pl.String,
            "requested_month": pl.String,
            "request_url": pl.String,
        }
    ),
    replace_key=("flow", "month", "commodity_stem"),
    description=(
        "One row per flow, month, HS10 code and partner (world and grouping rows included, "
        "as published) for the rare-earth basket, whole USD and first quantity."
    ),
)

# API variable → raw column, per table and flow. Variables not listed for a flow stay null.
VARIABLES: dict[str, dict[str, dict[str, str]]] = {
    TURKEY_BY_HS.name: {
        "export": {
            "CTY_CODE": "cty_code",
            "CTY_NAME": "cty_name",
            "E_COMMODITY": "commodity",
            "E_COMMODITY_SDESC": "commodity_sdesc",
            "E_COMMODITY_LDESC": "commodity_ldesc",
            "ALL_VAL_MO": "all_val_mo",
        },
        "import": {
            "CTY_CODE": "cty_code",
            "CTY_NAME": "cty_name",
            "I_COMMODITY": "commodity",
            "I_COMMODITY_SDESC": "commodity_sdesc",
            "I_COMMODITY_LDESC": "commodity_ldesc",
            "GEN_VAL_MO": "gen_val_mo",
            "CON_VAL_MO": "con_val_mo",
        },
    },
    RARE_EARTHS_BY_PARTNER.name: {
        "export": {
            "CTY_CODE": "cty_code",
            "CTY_NAME": "cty_name",
            "E_COMMODITY": "commodity",
            "E_COMMODITY_SDESC": "commodity_sdesc",
            "ALL_VAL_MO": "all_val_mo",
            "QTY_1_MO": "qty_1_mo",
            "QTY_1_MO_FLAG": "qty_1_mo_flag",
            "UNIT_QY1": "unit_qy1",
        },
        "import": {
            "CTY_CODE": "cty_code",
            "CTY_NAME": "cty_name",
            "I_COMMODITY": "commodity",
            "I_COMMODITY_SDESC": "commodity_sdesc",
            "GEN_VAL_MO": "gen_val_mo",
            "CON_VAL_MO": "con_val_mo",
            "GEN_QY1_MO": "gen_qy1_mo",
            "GEN_QY1_MO_FLAG": "gen_qy1_mo_flag",
            "UNIT_QY1": "unit_qy1",
        },
    },
}
# the API's `time` column is always returned; COMM_LVL is echoed as a predicate (if it is
# not, the request's own COMM_LVL is used)
TIME_VARIABLE, LEVEL_VARIABLE = "time", "COMM_LVL"


def get_variables(table: RawTable, flow: str) -> list[str]:
    """The `get=` list of a request: exactly the variables the parser needs, in order."""
    return list(VARIABLES[table.name][flow])


def parse_turkey_by_hs(payload: bytes, origin: str) -> dict[str, pl.DataFrame]:
    return {TURKEY_BY_HS.name: _parse(payload, origin, TURKEY_BY_HS)}


def parse_rare_earths_by_partner(payload: bytes, origin: str) -> dict[str, pl.DataFrame]:
    return {RARE_EARTHS_BY_PARTNER.name: _parse(payload, origin, RARE_EARTHS_BY_PARTNER)}


def _parse(payload: bytes, origin: str, table: RawTable) -> pl.DataFrame:
    request = _request(origin)
    flow = request.flow
    header, rows = answer_rows(payload, origin)
    variables = VARIABLES[table.name][flow]
    positions = column_positions(header, [*variables, TIME_VARIABLE], origin)
    level_at = positions.get(LEVEL_VARIABLE)
    columns: dict[str, list[str | int | None]] = {name: [] for name in table.schema}
    for number, row in enumerate(rows, start=1):
        for column in columns:
            columns[column].append(None)
        for variable, column in variables.items():
            columns[column][-1] = typed_cell(
                row[positions[variable]], table.schema[column], variable, number, origin
            )
        columns["month"][-1] = row[positions[TIME_VARIABLE]]
        columns["comm_lvl"][-1] = row[level_at] if level_at is not None else request.level
        columns["flow"][-1] = flow
        columns["requested_month"][-1] = request.month
        columns["request_url"][-1] = origin
        if "commodity_stem" in columns:
            columns["commodity_stem"][-1] = request.stem
    return pl.DataFrame(columns, schema=table.schema)


@dataclass(frozen=True)
class _AskedFor:
    flow: str
    month: str
    level: str | None
    stem: str | None


def _request(origin: str) -> _AskedFor:
    """What was asked for, read back from the (key-free) request URL the payload came from."""
    url = httpx.URL(origin)
    parts = url.path.rstrip("/").split("/")
    endpoint = parts[-2] if len(parts) >= 2 else ""
    if endpoint not in FLOWS or not url.params.get("time"):
        raise ParseError(
            f"{origin}: not a Census exports/hs or imports/hs request with a time= predicate"
        )
    flow = FLOWS[endpoint]
    return _AskedFor(
        flow=flow,
        month=url.params["time"],
        level=url.params.get(LEVEL_VARIABLE),
        stem=url.params.get(COMMODITY_VARIABLE[flow]),
    )


def answer_rows(payload: bytes, origin: str) -> tuple[list[str], list[list[str | None]]]:
    """The header and rows of an API answer: the JSON array of arrays the API returns, or the
    same columns saved as CSV, either of them optionally gzipped."""
    payload = gunzip_if_gzipped(payload, origin)
    if payload.lstrip()[:1] in (b"[", b"{", b""):
        return _json_rows(payload, origin)
    return _csv_rows(payload, origin)


def _json_rows(payload: bytes, origin: str) -> tuple[list[str], list[list[str | None]]]:
    try:
        document = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ParseError(f"{origin}: the body is not JSON: {error}") from None
    if not isinstance(document, list) or not document or not isinstance(document[0], list):
        raise ParseError(f"{origin}: expected a JSON array of arrays with a header row first")
    return _checked_rows(document[0], document[1:], origin)


def _csv_rows(payload: bytes, origin: str) -> tuple[list[str], list[list[str | None]]]:
    table = csv_records(
        payload, origin, undecodable="neither JSON nor UTF-8 CSV", unreadable="not a readable CSV"
    )
    if not table:
        raise ParseError(f"{origin}: empty file; expected a header row of API variables")
    return _checked_rows(table[0], [list(row) for row in table[1:]], origin)


def _checked_rows(
    header: object, rows: list[object], origin: str
) -> tuple[list[str], list[list[str | None]]]:
    if not isinstance(header, list) or not header or not all(isinstance(n, str) for n in header):
        raise ParseError(f"{origin}, row 0 (header): every column name must be a string")
    checked: list[list[str | None]] = []
    for number, row in enumerate(rows, start=1):
        if not _is_row(row) or len(row) != len(header):
            raise ParseError(
                f"{origin}, row {number}: expected an array of {len(header)} values like the "
                f"header, got {json.dumps(row)[:200]}"
            )
        checked.append(row)
    return [str(name) for name in header], checked


def _is_row(value: object) -> TypeGuard[list[str | None]]:
    return isinstance(value, list) and all(cell is None or isinstance(cell, str) for cell in value)


def column_positions(header: list[str], needed: list[str], origin: str) -> dict[str, int]:
    """Where each variable sits; a repeated name (a variable that is also a predicate) keeps
    its first column."""
    positions: dict[str, int] = {}
    for index, name in enumerate(header):
        positions.setdefault(name, index)
    missing = [name for name in needed if name not in positions]
    if missing:
        raise SchemaDrift(
            f"{origin}, row 0 (header): missing {', '.join(missing)}; the response has "
            f"{', '.join(header)}. A variable was renamed or dropped by the API; nothing "
            "was loaded"
        )
    return positions


def typed_cell(
    value: str | None, dtype: pl.DataType, variable: str, number: int, origin: str
) -> str | int | None:
    if dtype != pl.Int64 or value is None:
        return value
    # dollars and quantities: plain digits, within a BIGINT
    if not (value.isascii() and value.isdigit()) or len(value) > 18:
        raise ParseError(f"{origin}, row {number}, {variable}: {value!r} is not a whole number")
    return int(value)
