"""Changes made by `tradewatch deals`: each builds the next version of the register in
memory, validates all of it, and only then writes the files it changed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ingest.deals_register.files import (
    COLUMNS,
    DEALS_FILE,
    EVENTS_FILE,
    FILE_NAMES,
    Record,
    RegisterFiles,
    Row,
    read_folder,
    render,
    sort_key,
    write_folder,
)
from ingest.deals_register.problems import Problem, RegisterInvalid
from ingest.deals_register.rules import Register, check, load, parse_partial_date


@dataclass(frozen=True)
class EventAdded:
    event: Row
    deal_before: Row
    deal_after: Row

    @property
    def status_changed(self) -> bool:
        return self.deal_before["status"] != self.deal_after["status"]


def add_deal(folder: Path, deal: Row) -> Row:
    """Append a deal (values as the register writes them) and keep the file sorted."""
    files, register = _current(folder)
    row = {column: deal.get(column, "").strip() for column in COLUMNS[DEALS_FILE]}
    changed = {DEALS_FILE: _rendered(DEALS_FILE, [*_rows(register.deals), row])}
    _write_if_valid(folder, files, changed)
    return row


def add_event(
    folder: Path, deal_id: str, *, event_date: str, status: str, note: str, source_url: str
) -> EventAdded:
    """Add a dated status event; when it is the deal's latest, the deal takes its status."""
    files, register = _current(folder)
    event = {
        "deal_id": deal_id,
        "event_date": event_date.strip(),
        "status": status.strip(),
        "note": note.strip(),
        "source_url": source_url.strip(),
    }
    events = sorted([*_rows(register.events), event], key=lambda row: sort_key(EVENTS_FILE, row))
    deals = _rows(register.deals)
    before = next((deal for deal in deals if deal["deal_id"] == deal_id), None)
    if before is None:
        message = f"no deal {deal_id!r} in {DEALS_FILE}"
        raise RegisterInvalid(
            str(folder), [Problem(EVENTS_FILE, None, deal_id, "deal_id", message)]
        )
    after = _with_latest_status(before, event, events)
    deals = [after if deal is before else deal for deal in deals]
    changed = {
        EVENTS_FILE: _rendered(EVENTS_FILE, events),
        DEALS_FILE: _rendered(DEALS_FILE, deals),
    }
    _write_if_valid(folder, files, changed)
    return EventAdded(event, before, after)


def format_register(folder: Path) -> list[str]:
    """Sort every file and write it in the register's CSV dialect; returns the files changed.
    Needs readable files (right header, right number of fields); other problems stay."""
    files = read_folder(folder)
    register, problems = check(files)
    unreadable = [p for p in problems if p.field is None and "out of order" not in p.message]
    if unreadable:
        raise RegisterInvalid(str(folder), unreadable)
    formatted = {
        name: _rendered(name, _rows(records))
        for name, records in zip(
            FILE_NAMES, (register.deals, register.events, register.links), strict=True
        )
    }
    changed = {name: content for name, content in formatted.items() if files.get(name) != content}
    write_folder(folder, changed)
    return sorted(changed)


def _current(folder: Path) -> tuple[RegisterFiles, Register]:
    """Edits start from a valid register, so a failure afterwards is the edit's own."""
    files = read_folder(folder)
    return files, load(files, str(folder))


def _write_if_valid(folder: Path, files: RegisterFiles, changed: RegisterFiles) -> None:
    load({**files, **changed}, f"{folder} (after the change)")
    write_folder(folder, changed)


def _with_latest_status(deal: Row, added: Row, events: list[Row]) -> Row:
    own = [event for event in events if event["deal_id"] == deal["deal_id"]]
    # sorted by date and, on the same date, in the order added: the last one is the latest
    if own[-1] is not added or parse_partial_date(added["event_date"]) is None:
        return deal  # an earlier event changes no current status; a bad date is reported
    return {**deal, "status": added["status"], "status_as_of": added["event_date"]}


def _rendered(name: str, rows: Iterable[Row]) -> bytes:
    return render(COLUMNS[name], sorted(rows, key=lambda row: sort_key(name, row)))


def _rows(records: Iterable[Record]) -> list[Row]:
    return [dict(record.values) for record in records]
