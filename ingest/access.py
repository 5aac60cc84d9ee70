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
from pathlib import Path

import duckdb
import polars as pl

from ingest.errors import TradewatchError
from ingest.settings import Settings


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


def run_query(settings: Settings, sql: str) -> pl.DataFrame:
    path = published_copy(settings)
    if not path.exists():
        raise NothingPublished(
            f"{path}: nothing published yet; `tradewatch build` (or `tradewatch publish`) "
            "writes the copy that `query` reads"
        )
    spill = Path(tempfile.mkdtemp(prefix="tradewatch-query-"))
    try:
        with _connect(path, settings, spill) as con:
            return _bounded(con, sql, settings)
    finally:
        shutil.rmtree(spill, ignore_errors=True)


def _connect(path: Path, settings: Settings, spill: Path) -> duckdb.DuckDBPyConnection:
    config = {
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


def _bounded(con: duckdb.DuckDBPyConnection, sql: str, settings: Settings) -> pl.DataFrame:
    timer = threading.Timer(settings.query_timeout_s, con.interrupt)
    timer.start()
    try:
        relation = con.sql(sql)
        return pl.DataFrame() if relation is None else relation.pl()
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
