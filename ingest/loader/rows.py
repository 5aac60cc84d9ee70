"""How a dataset's rows reach the load's transaction: the one step where loads differ.

`FramesInMemory` parses the payload into polars frames and validates them before the
transaction opens; `StagedFile` (files too large for memory, e.g. BACI) has DuckDB read the
archived file through the dataset's stager inside the transaction and validates the new rows
as SQL. Both are checked against the declared schema by the same `check_columns`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

import duckdb
import polars as pl

from ingest import csvlimits, landing, warehouse
from ingest.errors import DataQualityError, ParseError, SchemaDrift, TradewatchError
from ingest.ledger import ExpectationOutcome
from ingest.quality import QualityReport, validate_frame, validate_relation
from ingest.sources.base import Dataset, Parsed, Parser, RawTable, Stager

VINTAGE_COLUMNS = ("vintage", "edition")


@dataclass
class Progress:
    """What a load has found so far: its failed ledger row keeps it when a later step fails."""

    outcomes: list[ExpectationOutcome] = field(default_factory=list)
    vintage: str | None = None

    def passed(self, report: QualityReport) -> None:
        self.outcomes.extend(report.outcomes)
        if not report.success:
            raise DataQualityError(report.raw_table, report.failures())


class Rows(Protocol):
    """One dataset's rows on their way into the raw tables."""

    dataset: Dataset
    archived: landing.Archived
    bulk: bool  # millions of rows: DuckDB may reorder them and the memory cap applies

    def prepare(self, progress: Progress) -> None:
        """Work before the transaction opens (parse and validate what fits in memory)."""

    def write(
        self,
        con: duckdb.DuckDBPyConnection,
        progress: Progress,
        *,
        load_id: str,
        loaded_at: datetime,
    ) -> int:
        """Insert the rows tagged with the load (validated before it commits); how many."""


def rows_of(
    dataset: Dataset,
    archived: landing.Archived,
    content: bytes | None,
    *,
    parse: Parser | None,
    stage: Stager | None = None,
) -> Rows:
    """The rows of one archived payload, read by the run's stager or else its parser."""
    if stage is not None:
        return StagedFile(dataset, archived, stage)
    return FramesInMemory(dataset, archived, content, parse)


class FramesInMemory:
    bulk = False

    def __init__(
        self,
        dataset: Dataset,
        archived: landing.Archived,
        content: bytes | None,
        parse: Parser | None,
    ) -> None:
        self.dataset, self.archived, self.content, self.parse = dataset, archived, content, parse
        self.frames: dict[str, pl.DataFrame] = {}

    def prepare(self, progress: Progress) -> None:
        content = self.content if self.content is not None else self.archived.path.read_bytes()
        self.frames = _parse(self.dataset, self.parse, content, self.archived.origin, progress)
        progress.vintage = _vintage(self.frames)
        for table in self.dataset.tables:
            progress.passed(validate_frame(self.frames[table.name], table.name))

    def write(
        self,
        con: duckdb.DuckDBPyConnection,
        progress: Progress,
        *,
        load_id: str,
        loaded_at: datetime,
    ) -> int:
        inserted = 0
        for table in self.dataset.tables:
            con.register("incoming", self.frames[table.name].to_arrow())
            try:
                inserted += warehouse.insert_rows(
                    con,
                    table.name,
                    "select * from incoming",
                    [],
                    load_id=load_id,
                    loaded_at=loaded_at,
                )
            finally:
                con.unregister("incoming")
        return inserted


class StagedFile:
    bulk = True

    def __init__(self, dataset: Dataset, archived: landing.Archived, stage: Stager) -> None:
        self.dataset, self.archived, self.stage = dataset, archived, stage
        self.tables = {table.name: table for table in dataset.tables}

    def prepare(self, progress: Progress) -> None:
        """Nothing: the file is read inside the transaction."""

    def write(
        self,
        con: duckdb.DuckDBPyConnection,
        progress: Progress,
        *,
        load_id: str,
        loaded_at: datetime,
    ) -> int:
        inserted = self._stage(con, load_id=load_id, loaded_at=loaded_at)
        for table in self.dataset.tables:
            progress.passed(validate_relation(con, _batch(table, load_id), table.name))
        progress.vintage = _staged_vintage(con, self.dataset, load_id)
        return inserted

    def _stage(self, con: duckdb.DuckDBPyConnection, *, load_id: str, loaded_at: datetime) -> int:
        origin, inserted = self.archived.origin, 0

        def sink(raw_table: str, select_sql: str, params: Sequence[object] = ()) -> int:
            nonlocal inserted
            if raw_table not in self.tables:
                raise ParseError(f"{origin}: {self.dataset.name} does not write {raw_table}")
            bound = list(params)
            conform_select(con, select_sql, bound, self.tables[raw_table], origin=origin)
            count = warehouse.insert_rows(
                con, raw_table, select_sql, bound, load_id=load_id, loaded_at=loaded_at
            )
            inserted += count
            return count

        try:
            self.stage(self.archived.path, origin, sink)
        except TradewatchError:
            raise
        except Exception as error:  # untrusted file: any reader error means "cannot parse"
            if (too_long := csvlimits.from_duckdb(error, origin)) is not None:
                raise too_long from None
            raise _cannot_parse(origin, error) from error
        return inserted


def check_columns(
    table: RawTable, expected: Mapping[str, str], actual: Mapping[str, str], *, origin: str
) -> None:
    """The declared schema is a contract: a renamed, missing or re-typed column fails here."""
    drift = [
        f"{name}: expected {expected.get(name)}, got {actual.get(name)}"
        for name in list(expected) + [n for n in actual if n not in expected]
        if expected.get(name) != actual.get(name)
    ]
    if drift:
        raise SchemaDrift(f"{origin} → {table.name}: " + "; ".join(drift))


def conform(frame: pl.DataFrame, table: RawTable, *, origin: str) -> pl.DataFrame:
    """A parsed frame's columns and polars types must be the declared schema's."""
    expected = {name: str(dtype) for name, dtype in table.schema.items()}
    check_columns(
        table, expected, {name: str(dtype) for name, dtype in frame.schema.items()}, origin=origin
    )
    return frame.select(table.schema.names())


def conform_select(
    con: duckdb.DuckDBPyConnection,
    select_sql: str,
    params: list[object],
    table: RawTable,
    *,
    origin: str,
) -> None:
    """A stager's SELECT: its columns and DuckDB types must be the declared schema's,
    checked before a single row is read."""
    described = con.execute(f"describe {select_sql}", params).fetchall()
    actual = {row[0]: str(row[1]).lower() for row in described}
    expected = {name: warehouse.duckdb_type(dtype) for name, dtype in table.schema.items()}
    check_columns(table, expected, actual, origin=origin)


def _parse(
    dataset: Dataset, parse: Parser | None, content: bytes, origin: str, progress: Progress
) -> dict[str, pl.DataFrame]:
    if parse is None:
        raise ParseError(f"{origin}: dataset {dataset.name} has no parser")
    try:
        parsed = parse(content, origin)
    except TradewatchError:
        raise
    except Exception as error:  # untrusted bytes: any library error means "cannot parse"
        raise _cannot_parse(origin, error) from error
    frames, outcomes = (
        (parsed.frames, parsed.outcomes) if isinstance(parsed, Parsed) else (parsed, ())
    )
    missing = [table.name for table in dataset.tables if table.name not in frames]
    if missing:
        raise ParseError(f"{origin}: parser produced no frame for {', '.join(missing)}")
    conformed = {t.name: conform(frames[t.name], t, origin=origin) for t in dataset.tables}
    progress.outcomes.extend(outcomes)
    return conformed


def _cannot_parse(origin: str, error: Exception) -> ParseError:
    detail = " ".join(str(error).split())[:300]
    return ParseError(f"{origin}: cannot be parsed: {type(error).__name__}: {detail}")


def _vintage(frames: dict[str, pl.DataFrame]) -> str | None:
    for frame in frames.values():
        for column in VINTAGE_COLUMNS:
            if column in frame.columns:
                values = sorted(str(v) for v in frame[column].drop_nulls().unique())
                return ",".join(values) or None
    return None


def _batch(table: RawTable, load_id: str) -> str:
    # load_id is our own uuid4 hex, so it can be inlined
    return f"(select * exclude (load_id, loaded_at) from {table.name} where load_id = '{load_id}')"


def _staged_vintage(con: duckdb.DuckDBPyConnection, dataset: Dataset, load_id: str) -> str | None:
    for table in dataset.tables:
        for column in VINTAGE_COLUMNS:
            if column in table.schema:
                rows = con.execute(
                    f"select string_agg(distinct {column}::varchar, ',' order by "
                    f"{column}::varchar) from {table.name} where load_id = ?",
                    [load_id],
                ).fetchall()
                return rows[0][0] if rows else None
    return None
