"""The read path for analysts: the published copy only, read-only, bounded, and with no
access to files outside the warehouse.

`tradewatch query` never opens the live warehouse: a long query there held DuckDB's file
and made `build` exit "locked" for as long as it ran. It reads the copy `publish` swaps in,
with DuckDB's memory and spill-to-disk space capped and a wall-clock timeout, so one query
cannot take the machine's memory, fill the disk or run for ever.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import duckdb

from ingest import csv_text
from ingest.errors import TradewatchError
from ingest.settings import Settings

if TYPE_CHECKING:  # a frame for CSV of other types only: DuckDB imports polars to build it
    import polars as pl

T = TypeVar("T")

NUMERIC_TYPES = frozenset(
    {
        "tinyint", "smallint", "integer", "bigint", "hugeint", "utinyint", "usmallint",
        "uinteger", "ubigint", "uhugeint", "float", "double", "decimal",
    }
)  # fmt: skip
TEMPORAL_TYPES = frozenset(
    {
        "date", "time", "time with time zone", "time_ns", "timestamp", "timestamp_s",
        "timestamp_ms", "timestamp_ns", "timestamp with time zone", "interval",
    }
)  # fmt: skip


class QueryRefused(TradewatchError):
    """The query tried to write, attach or read outside the warehouse, is not valid SQL, or
    went past its memory, temp-space or time limit."""


class NothingPublished(TradewatchError):
    """There is no published copy to query yet (exit 1: build first)."""


def published_copy(settings: Settings) -> Path:
    return settings.published_dir / settings.db_path.name


def query_database(settings: Settings) -> Path:
    """The published copy when there is one (the report's reader falls back to the live
    file; `query` never does)."""
    published = published_copy(settings)
    return published if published.exists() else settings.db_path


@dataclass(frozen=True)
class ColumnType:
    """A result column's DuckDB type, asked what `query_output` needs to lay it out."""

    name: str  # DuckDB's type id, e.g. "bigint", "timestamp with time zone"

    def is_numeric(self) -> bool:
        return self.name in NUMERIC_TYPES

    def is_temporal(self) -> bool:
        return self.name in TEMPORAL_TYPES

    def __str__(self) -> str:
        return "Boolean" if self.name == "boolean" else self.name


@dataclass(frozen=True)
class QueryResult:
    """A query's answer as Python values: column names, their types and the rows."""

    columns: list[str]
    dtypes: list[ColumnType]
    records: list[tuple[Any, ...]]

    @property
    def height(self) -> int:
        return len(self.records)

    def is_empty(self) -> bool:
        return not self.records

    def rows(self) -> list[tuple[Any, ...]]:
        return list(self.records)

    def iter_rows(self) -> Iterator[tuple[Any, ...]]:
        return iter(self.records)

    def write_csv(self) -> str:
        return csv_text.render(self.columns, [dtype.name for dtype in self.dtypes], self.records)


def _fetch(relation: duckdb.DuckDBPyRelation | None) -> QueryResult:
    if relation is None:  # a statement that returns nothing
        return QueryResult([], [], [])
    types = [ColumnType(str(column.id)) for column in relation.types]
    return QueryResult(list(relation.columns), types, relation.fetchall())


def _frame(relation: duckdb.DuckDBPyRelation | None) -> pl.DataFrame:
    if relation is not None:
        return relation.pl()
    # a statement with no result: no columns and no rows, as pl.DataFrame() has (a SELECT
    # always has a relation; DuckDB's stubs allow None for every statement)
    empty = cast(duckdb.DuckDBPyRelation, duckdb.from_query("select 1 where false"))
    return empty.pl().select([])


def run_query(settings: Settings, sql: str) -> QueryResult:
    return _run(settings, sql, _fetch)


def query_for_csv(settings: Settings, sql: str) -> QueryResult | pl.DataFrame:
    """The answer for `--format csv`: Python values when `csv_text` writes every column's
    type, else a polars frame (polars then imported, by DuckDB) that writes its own."""
    return _run(settings, sql, _csv_fetch)


def _csv_fetch(relation: duckdb.DuckDBPyRelation | None) -> QueryResult | pl.DataFrame:
    if relation is None or all(str(column.id) in csv_text.TYPES for column in relation.types):
        return _fetch(relation)
    return _frame(relation)


def _run(settings: Settings, sql: str, fetch: Callable[[duckdb.DuckDBPyRelation | None], T]) -> T:
    path = published_copy(settings)
    if not path.exists():
        raise NothingPublished(
            f"{path}: nothing published yet; `tradewatch build` (or `tradewatch publish`) "
            "writes the copy that `query` reads"
        )
    spill = Path(tempfile.mkdtemp(prefix="tradewatch-query-"))
    try:
        with _connect(path, settings, spill) as con:
            return _bounded(con, sql, settings, fetch)
    finally:
        shutil.rmtree(spill, ignore_errors=True)


def _connect(path: Path, settings: Settings, spill: Path) -> duckdb.DuckDBPyConnection:
    config: dict[str, str | bool | int | float | list[str]] = {
        "enable_external_access": False,
        "memory_limit": settings.query_memory_limit,
        "max_temp_directory_size": settings.query_temp_limit,
        "temp_directory": str(spill),
        "lock_configuration": True,
    }
    try:
        return duckdb.connect(str(path), read_only=True, config=config)
    except duckdb.Error as error:
        raise QueryRefused(f"{path}: cannot be opened: {_one_line(error)}") from None


def _bounded(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    settings: Settings,
    fetch: Callable[[duckdb.DuckDBPyRelation | None], T],
) -> T:
    timer = threading.Timer(settings.query_timeout_s, con.interrupt)
    timer.start()
    try:
        return fetch(con.sql(sql))
    except duckdb.InterruptException:
        raise QueryRefused(
            f"query stopped after {settings.query_timeout_s:g} s "
            "(TRADEWATCH_QUERY_TIMEOUT_S); narrow it or raise the limit"
        ) from None
    except duckdb.OutOfMemoryException as error:
        raise QueryRefused(
            f"query refused: past the {settings.query_memory_limit} memory / "
            f"{settings.query_temp_limit} temp-space limit (TRADEWATCH_QUERY_MEMORY_LIMIT, "
            f"TRADEWATCH_QUERY_TEMP_LIMIT): {_one_line(error)}"
        ) from None
    except duckdb.Error as error:
        raise QueryRefused(f"query refused: {_one_line(error)}") from None
    finally:
        timer.cancel()


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split())[:300]
