"""The shape every source module fills in: its raw tables, parsers and payloads."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import polars as pl

from ingest.settings import BUNDLED_DIR, Settings

Parser = Callable[[bytes, str], dict[str, pl.DataFrame]]


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
    parse: Parser  # pure: (payload, origin) -> {raw table name: frame}


@dataclass(frozen=True)
class Payload:
    """One unit of loading. `fetch` returns the bytes, or None when the source has no data."""

    dataset: Dataset
    origin: str  # URL (redacted before it is stored) or file name
    fetch: Callable[[], bytes | None]
    chunk: str | None = None


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

    @property
    def tables(self) -> tuple[RawTable, ...]:
        return tuple(table for dataset in self.datasets for table in dataset.tables)


def bundled_path(source_dir: str, name: str) -> Path:
    return BUNDLED_DIR / source_dir / name


def file_payload(dataset: Dataset, path: Path) -> Payload:
    return Payload(dataset=dataset, origin=path.name, fetch=path.read_bytes)


LiveFetcher = Callable[[Settings, httpx.Client], Iterator[Payload]]
Options = dict[str, Any]
