"""The unattended run's log: timestamped UTC lines to the run's file and to stderr, secrets
scrubbed, and what each exit code means in words."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ingest.errors import (
    EXIT_BAD_INPUT,
    EXIT_CANT_WRITE,
    EXIT_LOCKED,
    EXIT_OK,
    EXIT_SOFTWARE,
    EXIT_TEMPFAIL,
    EXIT_USAGE,
)
from ingest.freshness import SourceFreshness
from ingest.http import scrub

EXIT_MEANINGS = {
    EXIT_OK: "ok",
    EXIT_BAD_INPUT: "bad input or data-quality failure",
    EXIT_USAGE: "usage error",
    EXIT_LOCKED: "another run holds the lock",
    EXIT_SOFTWARE: "unexpected error (a bug; the traceback is in the log)",
    EXIT_CANT_WRITE: "cannot write the warehouse, landing or publish folder",
    EXIT_TEMPFAIL: "source unavailable; try later",
}
BUG_EXIT_CODE = EXIT_SOFTWARE  # neither the data nor a source is to blame


class _Scrub(logging.Filter):
    def __init__(self, secrets: tuple[str, ...]) -> None:
        super().__init__()
        self.secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            record.msg = scrub(record.getMessage(), self.secrets)
            record.args = None
        return True


@contextmanager
def run_logging(log_path: Path, secrets: tuple[str, ...]) -> Iterator[None]:
    """Timestamped UTC log lines to the run's file and to stderr; no colours, no wrapping."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    formatter = logging.Formatter(
        "%(asctime)sZ %(levelname)-7s %(name)s: %(message)s", "%Y-%m-%dT%H:%M:%S"
    )
    formatter.converter = time.gmtime
    handlers: list[logging.Handler] = [
        logging.FileHandler(log_path, encoding="utf-8"),
        logging.StreamHandler(sys.stderr),
    ]
    for handler in handlers:
        handler.setFormatter(formatter)
        handler.addFilter(_Scrub(secrets))
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    quiet = {name: logging.getLogger(name).level for name in ("httpx", "httpcore")}
    root.handlers = handlers
    root.setLevel(logging.INFO)
    for name in quiet:  # httpx logs full request URLs at INFO
        logging.getLogger(name).setLevel(logging.WARNING)
    try:
        yield
    finally:
        root.handlers, root.level = saved_handlers, saved_level
        for name, level in quiet.items():
            logging.getLogger(name).setLevel(level)
        for handler in handlers:
            handler.close()


def log_freshness(log: logging.Logger, rows: list[SourceFreshness]) -> None:
    """Freshness is reported, not enforced: a stale source does not fail the run."""
    for row in rows:
        level = {"pass": logging.INFO, "warn": logging.WARNING}.get(row.status, logging.ERROR)
        log.log(
            level,
            "freshness %s.%s: %s (newest load %s, %s h ago; warn after %s, error after %s)",
            row.source,
            row.table,
            row.status,
            row.max_loaded_at,
            row.age_hours,
            row.warn_after,
            row.error_after,
        )
