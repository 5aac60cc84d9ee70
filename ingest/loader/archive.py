"""Byte-exact archiving of every payload, including the ones a source or fetch refused."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

import duckdb

from ingest import landing
from ingest.errors import LandingError, TradewatchError
from ingest.http import scrub_bytes
from ingest.loader.record import now, record, shown
from ingest.settings import Settings
from ingest.sources.base import Dataset, Payload

log = logging.getLogger("ingest.loader")

UNRECOGNISED_FILE = "unrecognised_file"  # the ledger's dataset for a --file refused unread


def archive(
    dataset: Dataset, content: bytes, *, origin: str, settings: Settings, chunk: str | None
) -> landing.Archived:
    started = now()
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
            f"{shown(origin)}: cannot archive the payload under {settings.landing_dir}: "
            f"{error.strerror or error}"
        )
        _record_if_possible(settings, dataset, shown(origin), started, chunk, failure)
        raise failure from error


def archive_file(dataset: Dataset, payload: Payload, *, settings: Settings) -> landing.Archived:
    assert payload.path is not None
    started = now()
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


def keep_refused(
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


def keep_file(dataset: Dataset, path: Path, settings: Settings) -> landing.Archived | None:
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


def refuse_file(source: str, path: Path, error: TradewatchError, settings: Settings) -> None:
    """A `--file` its source refused before yielding a payload (not a format it knows, a zip
    without the expected members): archived byte-exact and ledgered `failed` under the
    dataset `unrecognised_file`, like every other refused payload."""
    dataset = Dataset(source, UNRECOGNISED_FILE, ())
    started = now()
    kept = keep_file(dataset, path, settings)
    record(settings, dataset, path.name, started, "failed", chunk=None, archived=kept, error=error)


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
        record(settings, dataset, origin, started, "failed", chunk=chunk, error=failure)
    except (OSError, duckdb.Error) as error:
        log.warning("%s: the failed load was not recorded: %s", origin, error)
