"""The announced-deals register kept in this repository (`bundled/deals/`, see its README).

One version of the register (deals, their dated status events and their links to HS codes)
is one payload: a stored zip of the three CSV files, archived byte for byte, validated as a
whole and published in one transaction. Every row carries the version it came from
(`edition`, the first 12 hex digits of the zip's SHA-256), so earlier versions stay in raw.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import polars as pl

from ingest.deals_register import (
    BUNDLE_NAME,
    PartialDate,
    Register,
    bundle,
    load,
    parse_partial_date,
    read_folder,
    read_path,
    unbundle,
)
from ingest.deals_register.files import Record
from ingest.http import HttpClient
from ingest.settings import Settings
from ingest.sources.base import (
    NO_REQUEST,
    Dataset,
    Payload,
    RawTable,
    Source,
    SourceRequest,
    file_payload,
)

SOURCE = "deals"
EDITION_DIGITS = 12

DEALS = RawTable(
    name="raw_deals.deals",
    schema=pl.Schema(
        {
            "edition": pl.String,
            "deal_id": pl.String,
            "announced_on": pl.String,
            "announced_date": pl.Date,
            "announced_date_precision": pl.String,
            "title": pl.String,
            "parties": pl.String,
            "country_a": pl.String,
            "country_b": pl.String,
            "sector": pl.String,
            "commodity": pl.String,
            "deal_type": pl.String,
            "value_usd": pl.Int64,
            "value_note": pl.String,
            "is_value_estimate": pl.Boolean,
            "value_basis": pl.String,
            "status": pl.String,
            "status_as_of": pl.String,
            "status_as_of_date": pl.Date,
            "status_as_of_date_precision": pl.String,
            "source_name": pl.String,
            "source_url": pl.String,
        }
    ),
    replace_key=("edition",),
    description="One row per register edition and deal; dates as written, first day, precision.",
)
DEAL_EVENTS = RawTable(
    name="raw_deals.deal_events",
    schema=pl.Schema(
        {
            "edition": pl.String,
            "deal_id": pl.String,
            "event_seq": pl.Int32,
            "event_date_text": pl.String,
            "event_date": pl.Date,
            "event_date_precision": pl.String,
            "status": pl.String,
            "note": pl.String,
            "source_url": pl.String,
        }
    ),
    replace_key=("edition",),
    description="One row per register edition and status event; event_seq orders a deal's events.",
)
DEAL_TRADE_LINKS = RawTable(
    name="raw_deals.deal_trade_links",
    schema=pl.Schema(
        {
            "edition": pl.String,
            "deal_id": pl.String,
            "hs_code": pl.String,
            "hs_description": pl.String,
            "flow": pl.String,
            "expected_from": pl.String,
            "expected_from_date": pl.Date,
            "expected_from_date_precision": pl.String,
            "expected_to": pl.String,
            "expected_to_date": pl.Date,
            "expected_to_date_precision": pl.String,
            "note": pl.String,
            "source_url": pl.String,
        }
    ),
    replace_key=("edition",),
    description="One row per register edition, deal and linked HS code, with the expected window.",
)
DATE_COLUMNS = {  # register column → raw column holding its first day (precision beside it)
    "announced_on": "announced_date",
    "status_as_of": "status_as_of_date",
    "event_date": "event_date",
    "expected_from": "expected_from_date",
    "expected_to": "expected_to_date",
}


def parse_register(payload: bytes, origin: str) -> dict[str, pl.DataFrame]:
    """Validate the whole version (RegisterInvalid lists every problem), then one frame per file."""
    register = load(unbundle(payload, origin), origin)
    edition = hashlib.sha256(payload).hexdigest()[:EDITION_DIGITS]
    return {
        DEALS.name: _frame(DEALS, [_deal_row(record) for record in register.deals], edition),
        DEAL_EVENTS.name: _frame(DEAL_EVENTS, _event_rows(register), edition),
        DEAL_TRADE_LINKS.name: _frame(
            DEAL_TRADE_LINKS, [_link_row(record) for record in register.links], edition
        ),
    }


def _deal_row(record: Record) -> dict[str, object]:
    row: dict[str, object] = {column: value or None for column, value in record.values.items()}
    value = record["value_usd"]
    row["value_usd"] = int(value) if value else None
    estimate = record["is_value_estimate"]
    row["is_value_estimate"] = (estimate == "true") if estimate else None
    return row | _dates(record, "announced_on") | _dates(record, "status_as_of")


def _event_rows(register: Register) -> list[dict[str, object]]:
    rows, seen = [], dict[str, int]()
    for record in register.events:  # sorted by date; the file order breaks ties
        seen[record["deal_id"]] = seen.get(record["deal_id"], 0) + 1
        rows.append(
            {
                "deal_id": record["deal_id"],
                "event_seq": seen[record["deal_id"]],
                "event_date_text": record["event_date"],
                "status": record["status"],
                "note": record["note"],
                "source_url": record["source_url"],
            }
            | _dates(record, "event_date")
        )
    return rows


def _link_row(record: Record) -> dict[str, object]:
    row: dict[str, object] = {column: value or None for column, value in record.values.items()}
    return row | _dates(record, "expected_from") | _dates(record, "expected_to")


def _dates(record: Record, column: str) -> dict[str, object]:
    parsed: PartialDate | None = parse_partial_date(record[column]) if record[column] else None
    target = DATE_COLUMNS[column]
    return {
        target: parsed.first_day if parsed else None,
        f"{target}_precision": parsed.precision if parsed else None,
    }


def _frame(table: RawTable, rows: list[dict[str, object]], edition: str) -> pl.DataFrame:
    columns = [name for name in table.schema.names() if name != "edition"]
    frame = pl.DataFrame(
        [[row.get(name) for name in columns] for row in rows],
        schema={name: table.schema[name] for name in columns},
        orient="row",
    )
    return frame.with_columns(edition=pl.lit(edition)).select(table.schema.names())


REGISTER = Dataset(SOURCE, "register", (DEALS, DEAL_EVENTS, DEAL_TRADE_LINKS), parse_register)


def register_payload(folder: Path) -> Payload:
    return Payload(REGISTER, BUNDLE_NAME, lambda: bundle(read_folder(folder)))


def offline(request: SourceRequest = NO_REQUEST) -> Iterator[Payload]:
    # the register is edited in place, so the folder comes from TRADEWATCH_DEALS_DIR
    yield register_payload(Settings.from_env().deals_dir)


def live(
    settings: Settings, client: HttpClient, request: SourceRequest = NO_REQUEST
) -> Iterator[Payload]:
    yield register_payload(settings.deals_dir)  # the register changes by pull request


def from_file(path: Path, request: SourceRequest = NO_REQUEST) -> Iterator[Payload]:
    """A register zip as archived, or a register folder named by one of its CSV files."""
    if path.suffix.lower() == ".zip":
        yield file_payload(REGISTER, path)
    else:
        yield Payload(REGISTER, BUNDLE_NAME, lambda: bundle(read_path(path)))


DEALS_SOURCE = Source(
    name=SOURCE,
    description="Announced deals register: deals, dated status events, links to HS codes",
    licence="tradewatch's own compilation; every row cites a public page in source_url",
    datasets=(REGISTER,),
    offline=offline,
    live=live,
    from_file=from_file,
)
