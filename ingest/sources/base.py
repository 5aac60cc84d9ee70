"""The shape every source module fills in: its raw tables, parsers and payloads."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import polars as pl

from ingest.quality import ExpectationOutcome
from ingest.settings import BUNDLED_DIR, Settings


@dataclass(frozen=True)
class Parsed:
    """A parser's frames plus checks it made itself (e.g. exact duplicates it removed), which
    the loader records in `ops.data_quality_results` beside the suite's results."""

    frames: dict[str, pl.DataFrame]
    outcomes: tuple[ExpectationOutcome, ...] = ()


Parser = Callable[[bytes, str], dict[str, pl.DataFrame] | Parsed]
# (raw table name, SELECT statement, bound parameters) -> rows inserted; see Dataset.stage
Sink = Callable[[str, str, Sequence[object]], int]
# (archived file, origin, sink): stream a file into DuckDB without holding it in memory
Stager = Callable[[Path, str, Sink], None]


@dataclass(frozen=True)
class RawTable:
    """A table in `raw_<source>`, written only by the loader."""

    name: str  # schema-qualified, e.g. "raw_census_country.monthly_flows"
    schema: pl.Schema
    # a new load replaces the rows whose values in these columns it brings again; an empty
    # key means the payload is the whole table (a code list) and replaces it
    replace_key: tuple[str, ...]
    description: str = ""

    @property
    def suite_name(self) -> str:
        return self.name.replace(".", "__")


@dataclass(frozen=True)
class Dataset:
    source: str
    name: str
    tables: tuple[RawTable, ...]
    parse: Parser | None = None  # pure: (payload, origin) -> {raw table name: frame}
    # For files too large for memory: instead of `parse`, the loader hands the archived file
    # and a sink; the stager sends SELECTs (DuckDB reading the file) to the sink, and the rows
    # are validated with SQL and published inside the load's one transaction.
    stage: Stager | None = None


@dataclass(frozen=True)
class Payload:
    """One unit of loading. `fetch` returns the bytes, or None when the source has no data.

    A payload with a `path` is a file on disk: the loader archives it by streaming copy and
    never reads it whole into memory unless the dataset only has a bytes `parse`."""

    dataset: Dataset
    origin: str  # URL (redacted before it is stored) or file name
    fetch: Callable[[], bytes | None]
    chunk: str | None = None
    path: Path | None = None
    # the `--file` this payload was cut from (a zip member): archived if the payload fails
    container: Path | None = None


@dataclass(frozen=True)
class Source:
    name: str  # the CLI name, e.g. "census-country"
    description: str
    licence: str
    datasets: tuple[Dataset, ...]
    offline: Callable[[], Iterator[Payload]]
    live: Callable[..., Iterator[Payload]]  # (settings, client, **options)
    from_file: Callable[[Path], Iterator[Payload]]
    live_options: tuple[str, ...] = field(default=())
    # one payload per chunk (a month, a reporter-year): a failed chunk does not stop the others
    chunked: bool = False
    # options (e.g. "all_products") that offline() and from_file() also accept as keywords
    file_options: tuple[str, ...] = field(default=())

    @property
    def tables(self) -> tuple[RawTable, ...]:
        return tuple(table for dataset in self.datasets for table in dataset.tables)


def bundled_path(source_dir: str, name: str) -> Path:
    return BUNDLED_DIR / source_dir / name


def file_payload(dataset: Dataset, path: Path, *, chunk: str | None = None) -> Payload:
    return Payload(dataset=dataset, origin=path.name, fetch=path.read_bytes, chunk=chunk, path=path)


LiveFetcher = Callable[[Settings, httpx.Client], Iterator[Payload]]
Options = dict[str, Any]
