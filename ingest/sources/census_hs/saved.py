"""Saved International Trade API answers (`census-hs --file`): the JSON array the API returns,
or the same columns saved as CSV, optionally gzipped, read by the live client's parser.

An answer does not say when it was retrieved, and the API serves only its current vintage, so
the vintage is the retrieval date: `--vintage YYYY-MM-DD`, or a JSON sidecar `<file>.json`
with `vintage` (or the landing archive's own `fetched_at`). All-commodity answers (no
COMM_LVL) are country totals; answers with a commodity code are HS rows by country.
"""

from __future__ import annotations

import gzip
import json
import re
import zlib
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import polars as pl

from ingest.errors import ParseError
from ingest.sources.base import Dataset, Payload, RawTable, bundled_path, file_payload
from ingest.sources.census_hs.parse import (
    LEVEL_VARIABLE,
    TIME_VARIABLE,
    answer_rows,
    column_positions,
    typed_cell,
)
from ingest.ziplimits import GZIP_MAGIC

SOURCE = "census-hs"
BUNDLED = "census_hs"
BUNDLED_ANSWERS = (
    "exports_hs_by_country_monthly_2013-2024.csv.gz",
    "imports_hs_by_country_monthly_2013-2024.csv.gz",
    "imports_hs_hs2_by_country_monthly_2023-2024.csv.gz",
)
VINTAGE_PATTERN = re.compile(r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")
VALUE_VARIABLES = {"ALL_VAL_MO": "export", "GEN_VAL_MO": "import"}
COMMODITY_PREFIX = {"export": "E_COMMODITY", "import": "I_COMMODITY"}

_COMMON = {
    "vintage": pl.String,
    "flow": pl.String,
    "month": pl.String,
    "cty_code": pl.String,
    "cty_name": pl.String,
}
_VALUES = {"all_val_mo": pl.Int64, "gen_val_mo": pl.Int64, "source_file": pl.String}
COUNTRY_TOTALS = RawTable(
    name="raw_census_hs.country_totals",
    schema=pl.Schema({**_COMMON, **_VALUES}),
    replace_key=("vintage", "flow", "month"),
    description=(
        "One row per vintage (retrieval date), flow, month and partner code (world `-` and "
        "groupings included): all-commodity U.S. exports or general imports, whole USD."
    ),
)
HS_BY_COUNTRY = RawTable(
    name="raw_census_hs.hs_by_country",
    schema=pl.Schema(
        {
            **_COMMON,
            "comm_lvl": pl.String,
            "commodity": pl.String,
            "commodity_sdesc": pl.String,
            "commodity_ldesc": pl.String,
            **_VALUES,
        }
    ),
    replace_key=("vintage", "flow", "month", "comm_lvl"),
    description=(
        "One row per vintage, flow, month, HS level, HS code and partner code (world and "
        "groupings included), whole USD, as a saved API answer holds them."
    ),
)


class InvalidVintage(ParseError):
    """A retrieval date that is missing or not YYYY-MM-DD."""


def parse_country_totals(payload: bytes, origin: str, *, vintage: str) -> dict[str, pl.DataFrame]:
    return {COUNTRY_TOTALS.name: _parse(payload, origin, vintage, COUNTRY_TOTALS)}


def parse_hs_by_country(payload: bytes, origin: str, *, vintage: str) -> dict[str, pl.DataFrame]:
    return {HS_BY_COUNTRY.name: _parse(payload, origin, vintage, HS_BY_COUNTRY)}


def _parse(payload: bytes, origin: str, vintage: str, table: RawTable) -> pl.DataFrame:
    header, rows = answer_rows(payload, origin)
    flow, value_variable = _flow(header, origin)
    variables = {"CTY_CODE": "cty_code", "CTY_NAME": "cty_name", value_variable: _column(flow)}
    if table is HS_BY_COUNTRY:
        variables[COMMODITY_PREFIX[flow]] = "commodity"
    optional = {
        f"{COMMODITY_PREFIX[flow]}_{d.upper()}": f"commodity_{d}" for d in ("sdesc", "ldesc")
    }
    at = column_positions(header, list(variables), origin)
    at.update({n: i for i, n in reversed(list(enumerate(header))) if n in optional})
    months: list[object] = list(_months(header, rows, origin))
    columns: dict[str, list[object]] = {name: [None] * len(rows) for name in table.schema}
    for number, row in enumerate(rows, start=1):
        for variable, column in (variables | optional).items():
            if variable in at:
                value = row[at[variable]]
                dtype = table.schema[column]
                columns[column][number - 1] = typed_cell(value, dtype, variable, number, origin)
        if table is HS_BY_COUNTRY:
            code = str(columns["commodity"][number - 1] or "")
            level = row[at[LEVEL_VARIABLE]] if LEVEL_VARIABLE in at else f"HS{len(code)}"
            columns["comm_lvl"][number - 1] = level
    columns.update(
        vintage=[vintage] * len(rows),
        flow=[flow] * len(rows),
        month=months,
        source_file=[origin] * len(rows),
    )
    return pl.DataFrame(columns, schema=table.schema)


def _flow(header: list[str], origin: str) -> tuple[str, str]:
    found = [name for name in VALUE_VARIABLES if name in header]
    if len(found) != 1:
        raise ParseError(
            f"{origin}, row 0 (header): expected exactly one of ALL_VAL_MO (exports) or "
            f"GEN_VAL_MO (general imports); the answer has {', '.join(header)}"
        )
    return VALUE_VARIABLES[found[0]], found[0]


def _column(flow: str) -> str:
    return "all_val_mo" if flow == "export" else "gen_val_mo"


def _months(header: list[str], rows: list[list[str | None]], origin: str) -> list[str]:
    """YYYY-MM from the API's `time`, or from the YEAR and MONTH predicates it echoes."""
    if TIME_VARIABLE in header:
        at = header.index(TIME_VARIABLE)
        months = [row[at] or "" for row in rows]
    elif "YEAR" in header and "MONTH" in header:
        year_at, month_at = header.index("YEAR"), header.index("MONTH")
        months = [f"{row[year_at]}-{row[month_at]}" for row in rows]
    else:
        raise ParseError(f"{origin}, row 0 (header): no `time`, nor YEAR and MONTH")
    for number, month in enumerate(months, start=1):
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
            raise ParseError(f"{origin}, row {number}, time: {month!r} is not a month (YYYY-MM)")
    return months


def answer_dataset(path: Path) -> Dataset:
    """Country totals, or HS rows when the header names a commodity code."""
    try:
        with open(path, "rb") as probe:
            is_gzip = probe.read(2) == GZIP_MAGIC
        opener = gzip.open if is_gzip else open
        with opener(path, "rb") as handle:
            head = handle.read(8192).decode("utf-8", "replace")
    except (OSError, EOFError, zlib.error):
        head = ""  # the parser names what is wrong with the file
    header = re.split(r"[\n\]]", head.lstrip().lstrip("["), maxsplit=1)[0]
    is_hs = re.search(r"\b[EI]_COMMODITY\b(?!_)", header) is not None
    return HS_BY_COUNTRY_DATASET if is_hs else COUNTRY_TOTALS_DATASET


def retrieval_date(path: Path, vintage: str | None) -> str:
    """--vintage, else the sidecar's `vintage` or `fetched_at`; refused when neither says."""
    shown = "--vintage"
    if vintage is None:
        sidecar = path.with_name(path.name + ".json")
        shown = f"{sidecar.name}"
        if not sidecar.is_file():
            raise InvalidVintage(
                f"{path.name}: a saved API answer does not say when it was retrieved; pass "
                f"--vintage YYYY-MM-DD (the retrieval date) or put it in {sidecar.name}"
            )
        try:
            record = json.loads(sidecar.read_text(encoding="utf-8"))
            vintage = str(record.get("vintage") or str(record.get("fetched_at", ""))[:10])
        except (ValueError, AttributeError) as error:
            raise InvalidVintage(f"{sidecar.name}: not a JSON object: {error}") from None
    if not VINTAGE_PATTERN.match(vintage):
        raise InvalidVintage(f"{shown}: {vintage!r} is not a retrieval date (YYYY-MM-DD)")
    return vintage


COUNTRY_TOTALS_DATASET = Dataset(SOURCE, "country_totals", (COUNTRY_TOTALS,))
HS_BY_COUNTRY_DATASET = Dataset(SOURCE, "hs_by_country", (HS_BY_COUNTRY,))
PARSERS = {
    COUNTRY_TOTALS_DATASET.name: parse_country_totals,
    HS_BY_COUNTRY_DATASET.name: parse_hs_by_country,
}


def answer_payload(path: Path, vintage: str | None = None) -> Payload:
    dataset = answer_dataset(path)
    dated = retrieval_date(path, vintage)
    parse = partial(PARSERS[dataset.name], vintage=dated)
    # each file is its own chunk in the ledger: two answers of one retrieval are both kept
    return file_payload(dataset, path, chunk=path.name, parse=parse)


def bundled_answers() -> Iterator[Payload]:
    for name in BUNDLED_ANSWERS:
        yield answer_payload(bundled_path(BUNDLED, name))
