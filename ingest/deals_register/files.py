"""The register on disk: three CSV files in one folder, or one stored zip of them.

CSV rather than one YAML file per deal: a deal is one line, an event is one line, so a pull
request shows exactly the rows that changed, and the files open in any spreadsheet.
"""

from __future__ import annotations

import csv
import io
import os
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ingest.errors import ParseError

DEALS_FILE = "deals.csv"
EVENTS_FILE = "deal_events.csv"
LINKS_FILE = "deal_trade_links.csv"
FILE_NAMES = (DEALS_FILE, EVENTS_FILE, LINKS_FILE)
BUNDLE_NAME = "deals_register.zip"

DEAL_COLUMNS = (
    "deal_id", "announced_on", "title", "parties", "country_a", "country_b", "sector",
    "commodity", "deal_type", "value_usd", "value_note", "is_value_estimate", "value_basis",
    "status", "status_as_of", "source_name", "source_url",
)  # fmt: skip
EVENT_COLUMNS = ("deal_id", "event_date", "status", "note", "source_url")
LINK_COLUMNS = (
    "deal_id", "hs_code", "hs_description", "flow", "expected_from", "expected_to", "note",
    "source_url",
)  # fmt: skip
COLUMNS = {DEALS_FILE: DEAL_COLUMNS, EVENTS_FILE: EVENT_COLUMNS, LINKS_FILE: LINK_COLUMNS}
# a fixed timestamp makes the zip of the same files the same bytes, so an unchanged register
# is recognised by the loader and skipped
ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)

RegisterFiles = dict[str, bytes]
Row = dict[str, str]


@dataclass(frozen=True)
class Record:
    """One data row of a register file and the line it starts on (the header is line 1)."""

    line: int
    values: Row

    def __getitem__(self, column: str) -> str:
        return self.values[column]


def read_folder(folder: Path) -> RegisterFiles:
    """The register files present in a folder (a missing one is reported by validation)."""
    if not folder.is_dir():
        raise ParseError(f"{folder}: no such register folder")
    return {name: (folder / name).read_bytes() for name in FILE_NAMES if (folder / name).is_file()}


def read_path(path: Path) -> RegisterFiles:
    """A register folder, one of its CSV files (meaning its folder), or a register zip."""
    if path.is_dir():
        return read_folder(path)
    if not path.is_file():
        raise ParseError(f"{path}: no such file or folder")
    if path.suffix.lower() == ".zip":
        return unbundle(path.read_bytes(), path.name)
    if path.name in FILE_NAMES:
        return read_folder(path.parent)
    raise ParseError(f"{path}: not a deals register (a folder, one of {FILE_NAMES}, or a .zip)")


def bundle(files: Mapping[str, bytes]) -> bytes:
    """One stored (uncompressed) zip: the archive holds each CSV byte for byte."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name in FILE_NAMES:
            if name in files:
                info = zipfile.ZipInfo(name, date_time=ZIP_TIMESTAMP)
                info.external_attr = 0o644 << 16
                archive.writestr(info, files[name])
    return buffer.getvalue()


def unbundle(payload: bytes, origin: str) -> RegisterFiles:
    try:
        with zipfile.ZipFile(io.BytesIO(payload)) as archive:
            return {name: archive.read(name) for name in archive.namelist() if name in FILE_NAMES}
    except (zipfile.BadZipFile, OSError, KeyError) as error:
        raise ParseError(f"{origin}: not a register zip: {error}") from None


def write_folder(folder: Path, files: Mapping[str, bytes]) -> None:
    """Replace each given file atomically (write a sibling, then rename over it)."""
    folder.mkdir(parents=True, exist_ok=True)
    staged = []
    for name, content in files.items():
        partial = folder / f".{name}.partial"
        partial.write_bytes(content)
        staged.append((partial, folder / name))
    for partial, target in staged:
        os.replace(partial, target)


def render(columns: tuple[str, ...], rows: Iterable[Row]) -> bytes:
    """The register's own CSV dialect: UTF-8, `\\n` line ends, quotes only where needed."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([row.get(column, "") for column in columns] for row in rows)
    return buffer.getvalue().encode("utf-8")


def sort_key(name: str, row: Row) -> tuple[str, ...]:
    """Deals by id; events by deal, then date (a month sorts as its first day); links by code."""
    if name == EVENTS_FILE:
        return (row.get("deal_id", ""), _padded(row.get("event_date", "")))
    if name == LINKS_FILE:
        return (row.get("deal_id", ""), row.get("hs_code", ""))
    return (row.get("deal_id", ""),)


def _padded(text: str) -> str:
    # "2025-10" sorts before "2025-10-05" and after "2025-09-30", as its first day would
    return text + "-01" * ((10 - len(text)) // 3) if len(text) in (4, 7) else text
