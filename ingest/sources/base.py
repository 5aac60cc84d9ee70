"""The shape every source module fills in: its raw tables, parsers and payloads."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from pathlib import Path
from typing import Protocol

import polars as pl

from ingest.http import HttpClient
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
    # the lake target writes a large table's data files per value of these columns
    # (BACI by year), so a query or a reload of one year touches only that year's files
    partition_by: tuple[str, ...] = ()

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
    # this run's reading when it is not the dataset's own: its parser or stager with the
    # run's options bound (a product filter, the retrieval date); the Dataset stays as declared
    parse: Parser | None = None
    stage: Stager | None = None

    def parser(self) -> Parser | None:
        return self.parse or self.dataset.parse

    def stager(self) -> Stager | None:
        return self.stage or self.dataset.stage


@dataclass(frozen=True)
class SourceRequest:
    """What one run asks of a source (the CLI's options), the same type in every mode. A
    source reads the fields it understands; `Source.file_request` names the generic ones
    its offline and `--file` modes honour (the others are refused, not ignored)."""

    from_month: str | None = None
    to_month: str | None = None
    dataset: str | None = None
    refresh: bool = False  # fetch again the chunks already loaded
    all_products: bool = False
    products: str | None = None  # comma-separated HS6 codes
    vintage: str | None = None  # retrieval date of a saved API answer
    editions: tuple[str, ...] | None = None  # USGS MCS editions; None: every known one
    today: date | None = None  # the run's date; None: the current date

    def given(self) -> tuple[str, ...]:
        """The names of the fields set to something other than their default."""
        return tuple(item.name for item in fields(self) if getattr(self, item.name) != item.default)


NO_REQUEST = SourceRequest()


class LivePayloads(Protocol):
    def __call__(
        self, settings: Settings, client: HttpClient, request: SourceRequest = ..., /
    ) -> Iterator[Payload]: ...


class BundledPayloads(Protocol):
    def __call__(self, request: SourceRequest = ..., /) -> Iterator[Payload]: ...


class FilePayloads(Protocol):
    def __call__(self, path: Path, request: SourceRequest = ..., /) -> Iterator[Payload]: ...


@dataclass(frozen=True)
class Source:
    name: str  # the CLI name, e.g. "census-country"
    description: str
    licence: str
    datasets: tuple[Dataset, ...]
    offline: BundledPayloads
    live: LivePayloads
    from_file: FilePayloads
    # one payload per chunk (a month, a reporter-year): a failed chunk does not stop the others
    chunked: bool = False
    # generic request fields (e.g. "all_products") that offline() and from_file() honour
    file_request: tuple[str, ...] = field(default=())

    @property
    def tables(self) -> tuple[RawTable, ...]:
        return tuple(table for dataset in self.datasets for table in dataset.tables)


def bundled_path(source_dir: str, name: str) -> Path:
    return BUNDLED_DIR / source_dir / name


def file_payload(
    dataset: Dataset,
    path: Path,
    *,
    chunk: str | None = None,
    parse: Parser | None = None,
    stage: Stager | None = None,
) -> Payload:
    return Payload(
        dataset=dataset,
        origin=path.name,
        fetch=path.read_bytes,
        chunk=chunk,
        path=path,
        parse=parse,
        stage=stage,
    )
