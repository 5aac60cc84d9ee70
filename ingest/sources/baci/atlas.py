"""The bundled atlas files and BACI's country table: small, parsed in memory and validated
by the expectation suites."""

from __future__ import annotations

import io

import polars as pl

from ingest.errors import ParseError
from ingest.parsing import cast_columns, read_text_csv, require_columns
from ingest.sources.baci.products import keep
from ingest.sources.baci.tables import (
    ATLAS_FLOWS,
    ATLAS_FLOWS_NAME,
    ATLAS_HS_REVISION,
    ATLAS_SUMMARY,
    ATLAS_TRADE,
    ATLAS_VINTAGE,
    COUNTRY_CODES,
    COUNTRY_MEMBER,
    basename,
    country_columns,
)


def parse_country_codes(payload: bytes, origin: str) -> dict[str, pl.DataFrame]:
    match = COUNTRY_MEMBER.match(basename(origin))
    if not match:
        raise ParseError(
            f"{origin}: a BACI country table must keep its release name, "
            "e.g. country_codes_V202601.csv (it names the release)"
        )
    frame = read_text_csv(payload, origin)
    chosen = country_columns(frame.columns, origin, basename(origin))
    frame = frame.select(
        pl.lit(match.group(1)).alias("vintage"),
        # a cell of spaces is empty, as in the staged twin (`nullif(trim(…), '')`)
        *(
            pl.col(source).str.strip_chars().replace("", None).alias(column)
            for column, source in chosen.items()
        ),
    )
    return {COUNTRY_CODES.name: frame}


def parse_atlas_flows(
    payload: bytes, origin: str, *, codes: tuple[str, ...] | None
) -> dict[str, pl.DataFrame]:
    """`i,j,cmd,value`: the year is in the file name (`baci_2022.csv`), not in the file."""
    match = ATLAS_FLOWS_NAME.search(basename(origin))
    if not match:
        raise ParseError(
            f"{origin}: the atlas extract names its year in the file name "
            "(baci_YYYY.csv); rename the file to say which year it holds"
        )
    frame = require_columns(read_text_csv(payload, origin), ("i", "j", "cmd", "value"), origin)
    frame = cast_columns(frame, {"value": pl.Float64}, origin)
    frame = frame.select(
        pl.lit(ATLAS_VINTAGE).alias("vintage"),
        pl.lit(ATLAS_HS_REVISION).alias("hs_revision"),
        pl.lit(int(match.group(1))).cast(pl.Int32).alias("year"),
        "i", "j", "cmd", "value",
    )  # fmt: skip
    return {ATLAS_FLOWS.name: keep(frame, "cmd", codes)}


def parse_atlas_trade(
    payload: bytes, origin: str, *, codes: tuple[str, ...] | None
) -> dict[str, pl.DataFrame]:
    try:
        frame = pl.read_parquet(io.BytesIO(payload))
    except Exception as error:
        raise ParseError(f"{origin}: not a readable parquet file: {error}") from None
    needed = [name for name in ATLAS_TRADE.schema if name not in ("vintage", "hs_revision")]
    frame = require_columns(frame, tuple(needed), origin)
    frame = frame.select(
        pl.lit(ATLAS_VINTAGE).alias("vintage"),
        pl.lit(ATLAS_HS_REVISION).alias("hs_revision"),
        *needed,
    )
    return {ATLAS_TRADE.name: keep(frame, "hs6", codes)}


SUMMARY_NUMBERS = {
    "year": pl.Int32,
    "value_usd": pl.Int64,
    "quantity_tonnes": pl.Float64,
    "share_of_world": pl.Float64,
    "china_export_share": pl.Float64,
}


def parse_atlas_summary(
    payload: bytes, origin: str, *, codes: tuple[str, ...] | None
) -> dict[str, pl.DataFrame]:
    columns = [name for name in ATLAS_SUMMARY.schema if name != "vintage"]
    frame = require_columns(read_text_csv(payload, origin), tuple(columns), origin)
    frame = cast_columns(frame, SUMMARY_NUMBERS, origin)
    versions = frame["dataset"].str.extract(r"^BACI (V\d{6}[a-z]?)$")
    if versions.null_count():
        row = int(versions.is_null().arg_true()[0]) + 2
        raise ParseError(
            f"{origin}, row {row}, dataset: expected 'BACI Vyyyymm', got "
            f"{frame['dataset'][row - 2]!r}"
        )
    frame = frame.with_columns(vintage=versions).select(list(ATLAS_SUMMARY.schema))
    return {ATLAS_SUMMARY.name: keep(frame, "hs6", codes)}
