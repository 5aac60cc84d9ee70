"""Copies of the real register with exactly one bad field, shared by the register, CLI and
build tests. Every case names the file, deal and field its one problem must name."""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from ingest.deals_register.files import COLUMNS, DEALS_FILE, EVENTS_FILE, LINKS_FILE
from ingest.settings import DEFAULT_DEALS_DIR

Rows = list[dict[str, str]]


@dataclass(frozen=True)
class BadField:
    file: str
    deal_id: str
    field: str
    edit: Callable[[Rows], None]  # changes the rows of `file` in place


def copy_register(target: Path) -> Path:
    """The bundled register (the real 38 deals) in a folder a test may edit."""
    shutil.copytree(DEFAULT_DEALS_DIR, target, ignore=shutil.ignore_patterns("*.md"))
    return target


def read_rows(folder: Path, name: str) -> Rows:
    return list(csv.DictReader(io.StringIO((folder / name).read_text(encoding="utf-8"))))


def write_rows(folder: Path, name: str, rows: Rows) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS[name], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    (folder / name).write_text(buffer.getvalue(), encoding="utf-8")


def apply(case: BadField, folder: Path) -> None:
    rows = read_rows(folder, case.file)
    case.edit(rows)
    write_rows(folder, case.file, rows)


def _set(deal_id: str, column: str, value: str, *, nth: int = 0) -> Callable[[Rows], None]:
    def edit(rows: Rows) -> None:
        matching = [row for row in rows if row["deal_id"] == deal_id]
        matching[nth][column] = value

    return edit


def _duplicate(deal_id: str) -> Callable[[Rows], None]:
    def edit(rows: Rows) -> None:
        index = next(i for i, row in enumerate(rows) if row["deal_id"] == deal_id)
        rows.insert(index + 1, dict(rows[index]))

    return edit


def _append_event_for(deal_id: str) -> Callable[[Rows], None]:
    def edit(rows: Rows) -> None:
        rows.append(
            {
                "deal_id": deal_id,
                "event_date": "2026-01-05",
                "status": "signed",
                "note": "an event for a deal the register does not have",
                "source_url": "https://www.example.org/news",
            }
        )

    return edit


def _append_copy_as(deal_id: str, copied: str) -> Callable[[Rows], None]:
    def edit(rows: Rows) -> None:
        rows.append({**next(row for row in rows if row["deal_id"] == copied), "deal_id": deal_id})

    return edit


PEGASUS = "tr-us-pegasus-boeing-2024"  # one event (signed); value 36 000 000 000 list price
BAD_FIELDS = {
    "unknown-status": BadField(DEALS_FILE, PEGASUS, "status", _set(PEGASUS, "status", "done")),
    "bad-date": BadField(
        DEALS_FILE, PEGASUS, "announced_on", _set(PEGASUS, "announced_on", "2024-12-32")
    ),
    "bad-month-date": BadField(
        EVENTS_FILE,
        "tr-us-f16-block70",
        "event_date",
        _set("tr-us-f16-block70", "event_date", "2021-13"),
    ),
    "duplicate-id": BadField(DEALS_FILE, PEGASUS, "deal_id", _duplicate(PEGASUS)),
    "event-for-missing-deal": BadField(
        EVENTS_FILE, "us-zz-missing-deal", "deal_id", _append_event_for("us-zz-missing-deal")
    ),
    "negative-value": BadField(
        DEALS_FILE, PEGASUS, "value_usd", _set(PEGASUS, "value_usd", "-36000000000")
    ),
    "non-url-source": BadField(
        EVENTS_FILE, PEGASUS, "source_url", _set(PEGASUS, "source_url", "flightglobal.com/x")
    ),
    "bad-iso3": BadField(DEALS_FILE, PEGASUS, "country_a", _set(PEGASUS, "country_a", "TRK")),
    "status-not-latest-event": BadField(
        DEALS_FILE, PEGASUS, "status", _set(PEGASUS, "status", "talks")
    ),
    "unknown-deal-type": BadField(
        DEALS_FILE, PEGASUS, "deal_type", _set(PEGASUS, "deal_type", "purchase")
    ),
    "bad-slug": BadField(
        DEALS_FILE, "zz_New_Deal", "deal_id", _append_copy_as("zz_New_Deal", PEGASUS)
    ),
    "bad-hs-code": BadField(LINKS_FILE, PEGASUS, "hs_code", _set(PEGASUS, "hs_code", "8802.40")),
    "annual-target-outside-a-goal": BadField(
        DEALS_FILE, PEGASUS, "value_basis", _set(PEGASUS, "value_basis", "annual_target")
    ),
}
BAD_FIELD_PARAMS = [pytest.param(case, id=name) for name, case in BAD_FIELDS.items()]
# the rules the issue names, for the slower whole-build tests
ISSUE_RULES = (
    "unknown-status",
    "bad-date",
    "duplicate-id",
    "event-for-missing-deal",
    "negative-value",
    "non-url-source",
    "bad-iso3",
    "status-not-latest-event",
)
ISSUE_RULE_PARAMS = [pytest.param(BAD_FIELDS[name], id=name) for name in ISSUE_RULES]
