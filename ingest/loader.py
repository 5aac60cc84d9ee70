"""archive → parse → conform → validate → publish → record: the same path for every source."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from ingest import csvlimits, landing, warehouse
from ingest.errors import (
    DataQualityError,
    LandingError,
    ParseError,
    SchemaDrift,
    TradewatchError,
)
from ingest.http import redact, scrub, scrub_bytes
from ingest.quality import ExpectationOutcome, validate_frame, validate_relation
from ingest.settings import Settings
from ingest.sources.base import Dataset, Parsed, Payload, RawTable

log = logging.getLogger(__name__)

VINTAGE_COLUMNS = ("vintage", "edition")
UNRECOGNISED_FILE = "unrecognised_file"  # the ledger's dataset for a --file refused unread


@dataclass(frozen=True)
class LoadResult:
    source: str
    dataset: str
    status: str  # ok | skipped | failed
    origin: str
    load_id: str
    rows: int = 0
    vintage: str | None = None
    chunk: str | None = None
    error: str | None = None


def load_payload(payload: Payload, settings: Settings) -> LoadResult:
    """Fetch one payload (a file read or an HTTP request) and load it."""
    dataset, origin = payload.dataset, _shown(payload.origin)
    started = _now()
    if payload.path is not None:
        archived = _archive_file(dataset, payload, settings=settings)
        return _load_archived(dataset, archived, settings, chunk=payload.chunk, started=started)
    try:
        content = payload.fetch()
    except TradewatchError as error:
        _scrub_error(error, settings)
        kept = _keep_refused(dataset, error, origin=origin, settings=settings)
        if kept is None and payload.container is not None:
            kept = _keep_file(dataset, payload.container, settings)
        _record(
            settings,
            dataset,
            origin,
            started,
            "failed",
            chunk=payload.chunk,
            archived=kept,
            error=error,
        )
        raise
    if content is None:
        note = "no data published for this request"
        return _record(
            settings, dataset, origin, started, "skipped", chunk=payload.chunk, note=note
        )
    return load(dataset, content, origin=payload.origin, settings=settings, chunk=payload.chunk)


def load(
    dataset: Dataset,
    content: bytes,
    *,
    origin: str,
    settings: Settings,
    chunk: str | None = None,
) -> LoadResult:
    started = _now()
    archived = _archive(dataset, content, origin=origin, settings=settings, chunk=chunk)
    return _load_archived(
        dataset, archived, settings, chunk=chunk, started=started, content=content
    )


def _load_archived(
    dataset: Dataset,
    archived: landing.Archived,
    settings: Settings,
    *,
    chunk: str | None,
    started: datetime,
    content: bytes | None = None,
) -> LoadResult:
    earlier = warehouse.previous_load(
        settings.db_path, dataset.source, dataset.name, archived.sha256, chunk
    )
    if earlier is not None:
        note = "payload already loaded"
        return _record(
            settings,
            dataset,
            archived.origin,
            started,
            "skipped",
            chunk=chunk,
            archived=archived,
            vintage=earlier[0],
            note=note,
        )
    if dataset.stage is not None:
        return _load_staged(dataset, archived, settings, chunk=chunk, started=started)
    outcomes: list[ExpectationOutcome] = []
    vintage: str | None = None
    try:
        if content is None:
            content = archived.path.read_bytes()
        frames, parser_outcomes = _parse(dataset, content, archived.origin)
        outcomes.extend(parser_outcomes)
        vintage = _vintage(frames)
        for table in dataset.tables:
            report = validate_frame(frames[table.name], table.name)
            outcomes.extend(report.outcomes)
            if not report.success:
                raise DataQualityError(table.name, report.failures())
        landing.write_sidecar(archived, vintage=vintage)
        record = _ledger_row(
            dataset,
            archived.origin,
            started,
            "ok",
            chunk=chunk,
            archived=archived,
            vintage=vintage,
            outcomes=outcomes,
            rows=sum(frame.height for frame in frames.values()),
        )
        published = {t.name: (frames[t.name], t.replace_key) for t in dataset.tables}
        warehouse.publish(settings.db_path, published, record, outcomes)
    except TradewatchError as error:
        _record_failure(
            settings,
            dataset,
            archived,
            started,
            error,
            chunk=chunk,
            vintage=vintage,
            outcomes=outcomes,
        )
        raise
    log.info(
        "%s/%s: loaded %s rows from %s",
        dataset.source,
        dataset.name,
        record.row_count,
        archived.origin,
    )
    return LoadResult(
        dataset.source,
        dataset.name,
        "ok",
        archived.origin,
        record.load_id,
        rows=record.row_count or 0,
        vintage=vintage,
        chunk=chunk,
    )


def _archive(
    dataset: Dataset, content: bytes, *, origin: str, settings: Settings, chunk: str | None
) -> landing.Archived:
    started = _now()
    try:
        return landing.archive(
            content,
            source=dataset.source,
            dataset=dataset.name,
            origin=origin,
            landing_dir=settings.landing_dir,
        )
    except OSError as error:
        failure = LandingError(
            f"{_shown(origin)}: cannot archive the payload under {settings.landing_dir}: "
            f"{error.strerror or error}"
        )
        _record_if_possible(settings, dataset, _shown(origin), started, chunk, failure)
        raise failure from error


def _keep_refused(
    dataset: Dataset, error: TradewatchError, *, origin: str, settings: Settings
) -> landing.Archived | None:
    """Archive the body a live API answered with when the fetch refused it (an HTML page, a
    body cut short), so a refused answer is kept like a refused payload. It may echo the
    request, so key values are replaced by REDACTED first; a failure to archive it must not
    hide the error that refused it."""
    if error.received is None:
        return None
    try:
        return landing.archive(
            scrub_bytes(error.received, settings.secrets),
            source=dataset.source,
            dataset=dataset.name,
            origin=origin,
            landing_dir=settings.landing_dir,
        )
    except OSError as failure:
        log.warning("%s: the refused answer was not archived: %s", origin, failure)
        return None


def refuse_file(source: str, path: Path, error: TradewatchError, settings: Settings) -> None:
    """A `--file` its source refused before yielding a payload (not a format it knows, a zip
    without the expected members): archived byte-exact and ledgered `failed` under the
    dataset `unrecognised_file`, like every other refused payload."""
    dataset = Dataset(source, UNRECOGNISED_FILE, ())
    started = _now()
    _scrub_error(error, settings)
    kept = _keep_file(dataset, path, settings)
    _record(settings, dataset, path.name, started, "failed", chunk=None, archived=kept, error=error)


def _keep_file(dataset: Dataset, path: Path, settings: Settings) -> landing.Archived | None:
    try:
        return landing.archive_file(
            path,
            source=dataset.source,
            dataset=dataset.name,
            origin=path.name,
            landing_dir=settings.landing_dir,
        )
    except OSError as failure:  # the refusal is the error to report, not the archive's
        log.warning("%s: the refused file was not archived: %s", path.name, failure)
        return None


def _archive_file(dataset: Dataset, payload: Payload, *, settings: Settings) -> landing.Archived:
    assert payload.path is not None
    started = _now()
    try:
        return landing.archive_file(
            payload.path,
            source=dataset.source,
            dataset=dataset.name,
            origin=payload.origin,
            landing_dir=settings.landing_dir,
        )
    except OSError as error:
        failure = LandingError(
            f"{payload.origin}: cannot archive {payload.path} under {settings.landing_dir}: "
            f"{error.strerror or error}"
        )
        _record_if_possible(settings, dataset, payload.origin, started, payload.chunk, failure)
        raise failure from error


def _record_if_possible(
    settings: Settings,
    dataset: Dataset,
    origin: str,
    started: datetime,
    chunk: str | None,
    failure: TradewatchError,
) -> None:
    """The failed row of a payload that could not be archived; on the same full or read-only
    disk the ledger cannot be written either, and the archive's failure is the one to tell."""
    try:
        _record(settings, dataset, origin, started, "failed", chunk=chunk, error=failure)
    except (OSError, duckdb.Error) as error:
        log.warning("%s: the failed load was not recorded: %s", origin, error)


def _load_staged(
    dataset: Dataset,
    archived: landing.Archived,
    settings: Settings,
    *,
    chunk: str | None,
    started: datetime,
) -> LoadResult:
    """A file-backed dataset: DuckDB reads the archived file into the raw tables inside one
    transaction, the suites run as SQL on the new rows, and any failure rolls it all back."""
    load_id = uuid.uuid4().hex
    outcomes: list[ExpectationOutcome] = []
    vintage: str | None = None
    try:
        with warehouse.transaction(
            settings.db_path, memory_limit=settings.duckdb_memory_limit, bulk=True
        ) as con:
            rows = _stage(con, dataset, archived, load_id=load_id, loaded_at=started)
            for table in dataset.tables:
                report = validate_relation(con, _batch(table, load_id), table.name)
                outcomes.extend(report.outcomes)
                if not report.success:
                    raise DataQualityError(table.name, report.failures())
            vintage = _staged_vintage(con, dataset, load_id)
            for table in dataset.tables:
                warehouse.replace_previous(con, table.name, table.replace_key, load_id)
            landing.write_sidecar(archived, vintage=vintage)
            record = _ledger_row(
                dataset,
                archived.origin,
                started,
                "ok",
                chunk=chunk,
                archived=archived,
                vintage=vintage,
                outcomes=outcomes,
                rows=rows,
                load_id=load_id,
            )
            warehouse.insert_record(con, record, outcomes)
    except TradewatchError as error:
        _record_failure(
            settings,
            dataset,
            archived,
            started,
            error,
            chunk=chunk,
            vintage=vintage,
            outcomes=outcomes,
        )
        raise
    log.info("%s/%s: staged %s rows from %s", dataset.source, dataset.name, rows, archived.origin)
    return LoadResult(
        dataset.source,
        dataset.name,
        "ok",
        archived.origin,
        load_id,
        rows=rows,
        vintage=vintage,
        chunk=chunk,
    )


def _stage(
    con: duckdb.DuckDBPyConnection,
    dataset: Dataset,
    archived: landing.Archived,
    *,
    load_id: str,
    loaded_at: datetime,
) -> int:
    tables = {table.name: table for table in dataset.tables}
    for table in dataset.tables:
        warehouse.create_raw_table(con, table.name, table.schema)
    inserted = 0

    def sink(raw_table: str, select_sql: str, params: object = ()) -> int:
        nonlocal inserted
        if raw_table not in tables:
            raise ParseError(f"{archived.origin}: {dataset.name} does not write {raw_table}")
        bound = list(params)  # type: ignore[call-overload]
        conform_select(con, select_sql, bound, tables[raw_table], origin=archived.origin)
        count = warehouse.insert_staged(
            con, raw_table, select_sql, bound, load_id=load_id, loaded_at=loaded_at
        )
        inserted += count
        return count

    assert dataset.stage is not None
    try:
        dataset.stage(archived.path, archived.origin, sink)
    except TradewatchError:
        raise
    except Exception as error:  # untrusted file: any reader error means "cannot parse"
        if (too_long := csvlimits.from_duckdb(error, archived.origin)) is not None:
            raise too_long from None
        detail = " ".join(str(error).split())[:300]
        raise ParseError(
            f"{archived.origin}: cannot be parsed: {type(error).__name__}: {detail}"
        ) from error
    return inserted


def conform_select(
    con: duckdb.DuckDBPyConnection,
    select_sql: str,
    params: list[object],
    table: RawTable,
    *,
    origin: str,
) -> None:
    """The staged twin of `conform`: the SELECT's columns and DuckDB types must be the
    declared schema's, checked before a single row is read."""
    described = con.execute(f"describe {select_sql}", params).fetchall()
    actual = {row[0]: str(row[1]).lower() for row in described}
    expected = {name: warehouse.duckdb_type(dtype) for name, dtype in table.schema.items()}
    drift = [
        f"{name}: expected {expected.get(name)}, got {actual.get(name)}"
        for name in list(expected) + [n for n in actual if n not in expected]
        if expected.get(name) != actual.get(name)
    ]
    if drift:
        raise SchemaDrift(f"{origin} → {table.name}: " + "; ".join(drift))


def _batch(table: RawTable, load_id: str) -> str:
    # load_id is our own uuid4 hex, so it can be inlined
    return f"(select * exclude (load_id, loaded_at) from {table.name} where load_id = '{load_id}')"


def _staged_vintage(con: duckdb.DuckDBPyConnection, dataset: Dataset, load_id: str) -> str | None:
    for table in dataset.tables:
        for column in VINTAGE_COLUMNS:
            if column in table.schema:
                row = con.execute(
                    f"select string_agg(distinct {column}::varchar, ',' order by "
                    f"{column}::varchar) from {table.name} where load_id = ?",
                    [load_id],
                ).fetchone()
                return row[0] if row else None
    return None


def conform(frame: pl.DataFrame, table: RawTable, *, origin: str) -> pl.DataFrame:
    """The declared schema is a contract: a renamed, missing or re-typed column fails here."""
    expected, actual = table.schema, frame.schema
    drift = [
        f"{name}: expected {expected.get(name)}, got {actual.get(name)}"
        for name in list(expected) + [n for n in actual if n not in expected]
        if expected.get(name) != actual.get(name)
    ]
    if drift:
        raise SchemaDrift(f"{origin} → {table.name}: " + "; ".join(drift))
    return frame.select(expected.names())


def _parse(
    dataset: Dataset, content: bytes, origin: str
) -> tuple[dict[str, pl.DataFrame], tuple[ExpectationOutcome, ...]]:
    if dataset.parse is None:
        raise ParseError(f"{origin}: dataset {dataset.name} has no parser")
    try:
        parsed = dataset.parse(content, origin)
    except TradewatchError:
        raise
    except Exception as error:  # untrusted bytes: any library error means "cannot parse"
        detail = " ".join(str(error).split())[:300]
        raise ParseError(f"{origin}: cannot be parsed: {type(error).__name__}: {detail}") from error
    frames, outcomes = (
        (parsed.frames, parsed.outcomes) if isinstance(parsed, Parsed) else (parsed, ())
    )
    missing = [table.name for table in dataset.tables if table.name not in frames]
    if missing:
        raise ParseError(f"{origin}: parser produced no frame for {', '.join(missing)}")
    return {t.name: conform(frames[t.name], t, origin=origin) for t in dataset.tables}, outcomes


def _vintage(frames: dict[str, pl.DataFrame]) -> str | None:
    for frame in frames.values():
        for column in VINTAGE_COLUMNS:
            if column in frame.columns:
                values = sorted(str(v) for v in frame[column].drop_nulls().unique())
                return ",".join(values) or None
    return None


def _record(
    settings: Settings,
    dataset: Dataset,
    origin: str,
    started: datetime,
    status: str,
    *,
    chunk: str | None,
    archived: landing.Archived | None = None,
    vintage: str | None = None,
    error: BaseException | None = None,
    note: str | None = None,
    outcomes: list[ExpectationOutcome] | None = None,
) -> LoadResult:
    message = note if error is None else _one_line(scrub(str(error), settings.secrets))
    record = _ledger_row(
        dataset,
        origin,
        started,
        status,
        chunk=chunk,
        archived=archived,
        vintage=vintage,
        outcomes=outcomes or [],
        error=message,
    )
    warehouse.record_outcome(settings.db_path, record, outcomes or [])
    return LoadResult(
        dataset.source,
        dataset.name,
        status,
        origin,
        record.load_id,
        vintage=vintage,
        chunk=chunk,
        error=message,
    )


def _ledger_row(
    dataset: Dataset,
    origin: str,
    started: datetime,
    status: str,
    *,
    chunk: str | None,
    archived: landing.Archived | None,
    vintage: str | None,
    outcomes: list[ExpectationOutcome],
    rows: int | None = None,
    error: str | None = None,
    load_id: str | None = None,
) -> warehouse.LoadRecord:
    passed = sum(outcome.success for outcome in outcomes)
    return warehouse.LoadRecord(
        load_id=load_id or uuid.uuid4().hex,
        source=dataset.source,
        dataset=dataset.name,
        raw_tables=",".join(table.name for table in dataset.tables),
        vintage=vintage,
        chunk=chunk,
        origin=origin,
        payload_sha256=archived.sha256 if archived else None,
        payload_path=str(archived.path) if archived else None,
        payload_bytes=archived.bytes if archived else None,
        row_count=rows,
        started_at=started,
        finished_at=_now(),
        status=status,
        error=error,
        expectations_passed=passed if outcomes else None,
        expectations_failed=len(outcomes) - passed if outcomes else None,
    )


def _record_failure(
    settings: Settings,
    dataset: Dataset,
    archived: landing.Archived,
    started: datetime,
    error: TradewatchError,
    *,
    chunk: str | None,
    vintage: str | None,
    outcomes: list[ExpectationOutcome],
) -> None:
    """The failed ledger row (and any quality results) of an archived payload; nothing else."""
    _scrub_error(error, settings)
    _record(
        settings,
        dataset,
        archived.origin,
        started,
        "failed",
        chunk=chunk,
        archived=archived,
        vintage=vintage,
        error=error,
        outcomes=outcomes,
    )


def _scrub_error(error: BaseException, settings: Settings) -> None:
    error.args = tuple(scrub(str(arg), settings.secrets) for arg in error.args) or error.args


def _shown(origin: str) -> str:
    return redact(origin) if "://" in origin else origin


def _one_line(text: str) -> str:
    return " ".join(text.split())[:1000]


def _now() -> datetime:
    return datetime.now(UTC)
