"""Beylikova (Eskişehir) rare-earth facts: claims about Türkiye's deposit and Eti Maden's plant,
each kept with who made it, where it was reported and how far to trust it.

A source of its own rather than a `reference` dataset: these are attributed press claims with
their own provenance and caveats (see `bundled/beylikova/PROVENANCE.md`), not code lists, and
keeping them apart keeps `raw_reference` to identifiers. They change by pull request, so
`--live` loads the bundled file too.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import polars as pl

from ingest.errors import ParseError
from ingest.http import HttpClient
from ingest.parsing import read_text_csv
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

SOURCE = "beylikova"
BUNDLED_FILE = "turkey_beylikova_rare_earth_facts.csv"
COLUMNS = (
    "fact_id",
    "subject",
    "attribute",
    "value",
    "unit",
    "as_of_or_event_date",
    "claimant",
    "source_name",
    "source_url",
    "source_published",
    "confidence_note",
)

FACTS = RawTable(
    name="raw_beylikova.facts",
    schema=pl.Schema({**dict.fromkeys(COLUMNS, pl.String), "source_row": pl.Int32}),
    # a new load replaces the facts it brings again (by id)
    replace_key=("fact_id",),
    description="One row per fact: a claim about Beylikova as reported, value kept as text.",
)


def parse_facts(payload: bytes, origin: str) -> dict[str, pl.DataFrame]:
    frame = read_text_csv(payload, origin, null_values=[""])
    missing = [name for name in COLUMNS if name not in frame.columns]
    extra = [name for name in frame.columns if name not in COLUMNS]
    if missing or extra:
        raise ParseError(
            f"{origin}, row 1: missing column(s) {missing or 'none'}, unexpected {extra or 'none'}"
        )
    frame = frame.with_row_index("source_row", offset=2).select(
        *[pl.col(name).str.strip_chars().replace("", None) for name in COLUMNS],  # spaces = empty
        pl.col("source_row").cast(pl.Int32),
    )
    return {FACTS.name: frame}


FACTS_DATASET = Dataset(SOURCE, "facts", (FACTS,), parse_facts)


def offline(request: SourceRequest = NO_REQUEST) -> Iterator[Payload]:
    yield file_payload(FACTS_DATASET, bundled_path(SOURCE, BUNDLED_FILE))


def live(
    settings: Settings, client: HttpClient, request: SourceRequest = NO_REQUEST
) -> Iterator[Payload]:
    yield from offline()  # a curated list, not an API


def from_file(path: Path, request: SourceRequest = NO_REQUEST) -> Iterator[Payload]:
    yield file_payload(FACTS_DATASET, path)


BEYLIKOVA = Source(
    name=SOURCE,
    description="Beylikova rare-earth deposit and Eti Maden plant: attributed press claims",
    licence="Facts compiled by tradewatch from the press reports named in each row",
    datasets=(FACTS_DATASET,),
    offline=offline,
    live=live,
    from_file=from_file,
)
