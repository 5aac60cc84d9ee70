"""A load's ledger row, written for every attempt: ok, skipped or failed."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from ingest import landing, ledger
from ingest.http import redact, scrub
from ingest.ledger import ExpectationOutcome
from ingest.settings import Settings
from ingest.sources.base import Dataset


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


def record(
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
    outcomes: Sequence[ExpectationOutcome] = (),
) -> LoadResult:
    """A skipped or failed attempt: its ledger row (and any quality results) only."""
    if error is not None:
        scrub_error(error, settings)
    message = note if error is None else one_line(scrub(str(error), settings.secrets))
    row = ledger_row(
        dataset,
        origin,
        started,
        status,
        chunk=chunk,
        archived=archived,
        vintage=vintage,
        outcomes=outcomes,
        error=message,
    )
    ledger.record_outcome(settings.db_path, row, outcomes)
    return LoadResult(
        dataset.source,
        dataset.name,
        status,
        origin,
        row.load_id,
        vintage=vintage,
        chunk=chunk,
        error=message,
    )


def ledger_row(
    dataset: Dataset,
    origin: str,
    started: datetime,
    status: str,
    *,
    chunk: str | None,
    archived: landing.Archived | None,
    vintage: str | None,
    outcomes: Sequence[ExpectationOutcome],
    rows: int | None = None,
    error: str | None = None,
    load_id: str | None = None,
) -> ledger.LoadRecord:
    passed = sum(outcome.success for outcome in outcomes)
    return ledger.LoadRecord(
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
        finished_at=now(),
        status=status,
        error=error,
        expectations_passed=passed if outcomes else None,
        expectations_failed=len(outcomes) - passed if outcomes else None,
    )


def scrub_error(error: BaseException, settings: Settings) -> None:
    """Key values out of the error the command prints, as out of the ledger row."""
    error.args = tuple(scrub(str(arg), settings.secrets) for arg in error.args) or error.args


def shown(origin: str) -> str:
    return redact(origin) if "://" in origin else origin


def one_line(text: str) -> str:
    return " ".join(text.split())[:1000]


def now() -> datetime:
    return datetime.now(UTC)
