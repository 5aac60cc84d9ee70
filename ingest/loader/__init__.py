"""archive → parse → conform → validate → publish → record: the same path for every source.

Where loads differ (frames parsed in memory, or a file too large for memory that DuckDB
reads inside the transaction) is one `Rows` strategy (`ingest.loader.rows`); the rest, from
the skip of a payload already loaded to the one transaction that writes the rows and the
ledger row together, is `_load_archived` for both.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

from ingest import landing, ledger, warehouse
from ingest.errors import TradewatchError
from ingest.loader.archive import (
    UNRECOGNISED_FILE,
    archive,
    archive_file,
    keep_file,
    keep_refused,
    refuse_file,
)
from ingest.loader.record import LoadResult, ledger_row, now, record, shown
from ingest.loader.rows import Progress, Rows, conform, conform_select, rows_of
from ingest.settings import Settings
from ingest.sources.base import Dataset, Parser, Payload

__all__ = [
    "UNRECOGNISED_FILE",
    "LoadResult",
    "conform",
    "conform_select",
    "load",
    "load_payload",
    "refuse_file",
]

log = logging.getLogger(__name__)


def load_payload(payload: Payload, settings: Settings) -> LoadResult:
    """Fetch one payload (a file read or an HTTP request) and load it."""
    dataset, origin = payload.dataset, shown(payload.origin)
    started = now()
    if payload.path is not None:
        archived = archive_file(dataset, payload, settings=settings)
        reading = rows_of(dataset, archived, None, parse=payload.parser(), stage=payload.stager())
        return _load_archived(reading, settings, chunk=payload.chunk, started=started)
    try:
        content = payload.fetch()
    except TradewatchError as error:
        kept = keep_refused(dataset, error, origin=origin, settings=settings)
        if kept is None and payload.container is not None:
            kept = keep_file(dataset, payload.container, settings)
        record(
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
        return record(settings, dataset, origin, started, "skipped", chunk=payload.chunk, note=note)
    return load(
        dataset,
        content,
        origin=payload.origin,
        settings=settings,
        chunk=payload.chunk,
        parse=payload.parser(),
    )


def load(
    dataset: Dataset,
    content: bytes,
    *,
    origin: str,
    settings: Settings,
    chunk: str | None = None,
    parse: Parser | None = None,
) -> LoadResult:
    """Archive the bytes and load them; `parse`: this run's parser, else the dataset's."""
    started = now()
    archived = archive(dataset, content, origin=origin, settings=settings, chunk=chunk)
    reading = rows_of(dataset, archived, content, parse=parse or dataset.parse)
    return _load_archived(reading, settings, chunk=chunk, started=started)


def _load_archived(
    rows: Rows, settings: Settings, *, chunk: str | None, started: datetime
) -> LoadResult:
    dataset, archived = rows.dataset, rows.archived
    skipped = _skip_if_loaded(dataset, archived, settings, chunk=chunk, started=started)
    if skipped is not None:
        return skipped
    progress = Progress()
    try:
        row = _publish(dataset, rows, archived, settings, progress, chunk=chunk, started=started)
    except TradewatchError as error:
        record(
            settings,
            dataset,
            archived.origin,
            started,
            "failed",
            chunk=chunk,
            archived=archived,
            vintage=progress.vintage,
            error=error,
            outcomes=progress.outcomes,
        )
        raise
    source, name, origin = dataset.source, dataset.name, archived.origin
    log.info("%s/%s: loaded %s rows from %s", source, name, row.row_count, origin)
    return LoadResult(
        dataset.source,
        dataset.name,
        "ok",
        archived.origin,
        row.load_id,
        rows=row.row_count or 0,
        vintage=progress.vintage,
        chunk=chunk,
    )


def _skip_if_loaded(
    dataset: Dataset,
    archived: landing.Archived,
    settings: Settings,
    *,
    chunk: str | None,
    started: datetime,
) -> LoadResult | None:
    """The same payload already loaded for the same chunk: a skipped row, nothing else."""
    earlier = ledger.previous_load(
        settings.db_path, dataset.source, dataset.name, archived.sha256, chunk
    )
    if earlier is None:
        return None
    return record(
        settings,
        dataset,
        archived.origin,
        started,
        "skipped",
        chunk=chunk,
        archived=archived,
        vintage=earlier.vintage,
        note="payload already loaded",
    )


def _publish(
    dataset: Dataset,
    rows: Rows,
    archived: landing.Archived,
    settings: Settings,
    progress: Progress,
    *,
    chunk: str | None,
    started: datetime,
) -> ledger.LoadRecord:
    """Validated rows and their ledger row in ONE transaction; any failure rolls it all back
    (rows parsed in memory are validated before it opens)."""
    rows.prepare(progress)
    load_id = uuid.uuid4().hex
    with ledger.transaction(
        settings.db_path,
        memory_limit=settings.duckdb_memory_limit if rows.bulk else None,
        bulk=rows.bulk,
        tables=tuple(table.name for table in dataset.tables),
    ) as con:
        for table in dataset.tables:
            warehouse.create_raw_table(con, table.name, table.schema, table.partition_by)
        count = rows.write(con, progress, load_id=load_id, loaded_at=started)
        for table in dataset.tables:
            warehouse.replace_previous(con, table.name, table.replace_key, load_id)
        landing.write_sidecar(archived, vintage=progress.vintage)
        row = ledger_row(
            dataset,
            archived.origin,
            started,
            "ok",
            chunk=chunk,
            archived=archived,
            vintage=progress.vintage,
            outcomes=progress.outcomes,
            rows=count,
            load_id=load_id,
        )
        ledger.insert_record(con, row, progress.outcomes)
    return row
