"""The read path for analysts: read-only, and no access to files outside the warehouse."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from ingest.errors import LockHeld, TradewatchError
from ingest.settings import Settings


class QueryRefused(TradewatchError):
    """The query tried to write, attach or read outside the warehouse, or is not valid SQL."""


def query_database(settings: Settings) -> Path:
    """The published copy when there is one, so readers never hold the build's file."""
    published = settings.published_dir / settings.db_path.name
    return published if published.exists() else settings.db_path


def run_query(settings: Settings, sql: str) -> pl.DataFrame:
    path = query_database(settings)
    if not path.exists():
        raise TradewatchError(f"{path}: no warehouse yet; run `tradewatch build`")
    config = {"enable_external_access": False, "lock_configuration": True}
    try:
        con = duckdb.connect(str(path), read_only=True, config=config)
    except duckdb.IOException as error:
        if "lock" in str(error).lower():  # a build is writing and there is no published copy
            raise LockHeld(f"{path} is in use by another process: {error}") from None
        raise
    with con:
        try:
            relation = con.sql(sql)
            return pl.DataFrame() if relation is None else relation.pl()
        except duckdb.Error as error:
            raise QueryRefused(f"query refused: {' '.join(str(error).split())}") from None
