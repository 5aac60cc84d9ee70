"""Reading USGS CSVs: UTF-8 with or without a BOM, CRLF, trailing unnamed columns, blank lines."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

from ingest.csvlimits import check_rows
from ingest.errors import ParseError

EDITION = re.compile(r"^MCS(\d{4})$")
EDITION_IN_NAME = re.compile(r"mcs[_-]?(\d{4})", re.IGNORECASE)


@dataclass(frozen=True)
class Row:
    line: int  # 1-based line number in the file, for error messages
    cells: dict[str, str]


@dataclass(frozen=True)
class Table:
    origin: str
    header: tuple[str, ...]
    rows: tuple[Row, ...]

    def fail(self, message: str, row: Row | None = None, column: str | None = None) -> ParseError:
        where = self.origin
        if row is not None:
            where += f", row {row.line}"
        if column is not None:
            where += f", column {column}"
        return ParseError(f"{where}: {message}")


def read_table(payload: bytes, origin: str) -> Table:
    """The header (unnamed trailing columns dropped if empty) and every non-blank row."""
    try:
        text = payload.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        where = f"{error.reason} at byte {error.start}"
        raise ParseError(f"{origin}: not UTF-8 text ({where})") from None
    check_rows(payload, origin)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip() for name in next(reader)]
        width = _named_width(header, origin)
        rows = tuple(_rows(reader, header[:width], origin))
    except StopIteration:
        raise ParseError(f"{origin}: the file is empty") from None
    except csv.Error as error:
        raise ParseError(f"{origin}, row {reader.line_num}: not a readable CSV: {error}") from None
    return Table(origin, tuple(header[:width]), rows)


def _rows(reader: Iterator[list[str]], header: list[str], origin: str) -> Iterator[Row]:
    width = len(header)
    for cells in reader:
        line = getattr(reader, "line_num", 0)
        if not any(cell.strip() for cell in cells):
            continue  # comma-only spacer lines
        if any(cell.strip() for cell in cells[width:]):
            raise ParseError(f"{origin}, row {line}: a value under an unnamed column")
        padded = [*cells[:width], *[""] * (width - len(cells))]
        yield Row(line, dict(zip(header, padded, strict=True)))


def _named_width(header: list[str], origin: str) -> int:
    width = len(header)
    while width and not header[width - 1]:
        width -= 1
    if not width or "" in header[:width]:
        raise ParseError(f"{origin}, row 1: a column without a name in {header!r}")
    duplicates = sorted({name for name in header[:width] if header.count(name) > 1})
    if duplicates:
        raise ParseError(f"{origin}, row 1: duplicate column(s) {', '.join(duplicates)}")
    return width


def require_columns(table: Table, needed: tuple[str, ...]) -> None:
    missing = [name for name in needed if name not in table.header]
    if missing:
        raise table.fail(
            f"missing column(s) {', '.join(missing)}; header is {', '.join(table.header)}",
            column=None,
        )


def edition_of(table: Table, column: str) -> str:
    """The one edition (e.g. `MCS2024`) the file's rows name; it must match the file name."""
    editions = {row.cells[column].strip() for row in table.rows}
    if not table.rows:
        raise table.fail("no data rows")
    if len(editions) != 1:
        raise table.fail(f"rows name several editions ({', '.join(sorted(editions))}) in {column}")
    edition = editions.pop()
    if not EDITION.match(edition):
        raise table.fail(f"{edition!r} is not an edition like MCS2024", table.rows[0], column)
    named = EDITION_IN_NAME.search(table.origin)
    if named and f"MCS{named.group(1)}" != edition:
        raise table.fail(f"the file is named for MCS{named.group(1)} but its rows say {edition}")
    return edition


def edition_year(edition: str) -> int:
    match = EDITION.match(edition)
    if not match:
        raise ValueError(f"{edition!r} is not an edition like MCS2024")
    return int(match.group(1))


def parse_year(table: Table, row: Row, column: str) -> int:
    text = row.cells[column].strip()
    if not re.fullmatch(r"\d{4}", text):
        raise table.fail(f"{text!r} is not a year", row, column)
    return int(text)
