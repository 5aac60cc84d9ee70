"""What each report section reads: a mart by its documented name and columns.

A section whose mart is missing, empty or lacks a column gets a `Missing` instead of data,
and the page shows a "not available in this build" panel naming the mart. So the report
works on a warehouse built from any subset of the sources.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import duckdb
import polars as pl

from ingest import ledger


@dataclass(frozen=True)
class Missing:
    """Why a section cannot be drawn from this build."""

    tables: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class BuildInfo:
    build_id: str | None
    built_at: str  # UTC, e.g. "2026-11-27 09:17 UTC"
    published: bool


class MartReader:
    """Reads marts from one read-only connection; never raises for a missing mart."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        rows = con.execute(
            "select table_schema || '.' || table_name, column_name "
            "from information_schema.columns where table_catalog = current_database()"
        ).fetchall()
        self.columns: dict[str, set[str]] = {}
        for table, column in rows:
            self.columns.setdefault(table, set()).add(column)

    def has(self, table: str) -> bool:
        return table in self.columns

    def check(self, table: str, columns: Sequence[str]) -> Missing | None:
        if table not in self.columns:
            return Missing((table,), f"{table} is not in this build")
        lacking = [column for column in columns if column not in self.columns[table]]
        if lacking:
            return Missing((table,), f"{table} has no column {', '.join(lacking)}")
        row = self.one(f"select count(*) from {table}")
        if not row or not row[0]:
            return Missing((table,), f"{table} has no rows in this build")
        return None

    def one(self, sql: str, parameters: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        """The first row; fetches them all (DuckDB 2 keeps an unfinished result busy)."""
        rows = self.con.execute(sql, list(parameters)).fetchall()
        return rows[0] if rows else None

    def frame(self, sql: str, parameters: Sequence[Any] = ()) -> pl.DataFrame:
        return self.con.sql(sql, params=list(parameters) or None).pl()

    def first(self, table: str, *candidates: str) -> str | None:
        """The first of the candidate column names the table has (for optional columns)."""
        have = self.columns.get(table, set())
        return next((column for column in candidates if column in have), None)

    def source_vintages(self, *sources: str) -> list[str]:
        if not self.has(ledger.LOADS):
            return []
        named = {
            part.strip()
            for vintage in ledger.vintages(self.con, sources)
            for part in vintage.split(",")
        }
        return sorted(part for part in named if part)

    def latest_vintage(self, source: str) -> str | None:
        """The vintage of the source's most recent ok load (editions need not sort)."""
        if not self.has(ledger.LOADS):
            return None
        return ledger.latest_vintage(self.con, source)

    def last_loaded(self, *sources: str) -> str | None:
        if not self.has(ledger.LOADS):
            return None
        return ledger.last_loaded_day(self.con, sources)

    def build_info(self) -> BuildInfo:
        if self.has(ledger.PUBLICATION):
            row = ledger.publication(self.con)
            if row:
                return BuildInfo(build_id=row[0], built_at=row[1], published=True)
        loaded = ledger.last_attempt_at(self.con) if self.has(ledger.LOADS) else None
        return BuildInfo(build_id=None, built_at=loaded or "unknown", published=False)
