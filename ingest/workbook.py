"""Reading an xlsx sheet with bounds checked first: what the reader will allocate is decided
by the workbook, so the workbook's claims are checked before the reader sees it.

A spreadsheet reader sizes a sheet by the extent of the cells it references: one extra cell
at `XFD1048576` in a 1.6 MB file made calamine allocate ~550 GB and abort the process
(SIGABRT, no ledger row). `check_workbook` streams every worksheet's XML once (its
decompressed size bounded by the zip limits) and refuses, as a `ParseError`, a sheet whose
referenced extent (rows x columns) exceeds `TRADEWATCH_XLSX_MAX_CELLS`, a `<dimension>`
beyond Excel's own grid, or more cells than the limit. The published Census workbook
references about 250,000 cells (and claims `A1:AC1048576`, which is why the extent of real
cells, not the claim, is what is bounded).
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from typing import Any

import polars as pl

from ingest.errors import ParseError
from ingest.settings import Settings
from ingest.ziplimits import COPY_BLOCK_BYTES, ZipLimits, check_members

EXCEL_MAX_ROWS, EXCEL_MAX_COLUMNS = 1_048_576, 16_384
WORKSHEET = re.compile(r"^xl/worksheets/[^/]+\.xml$", re.IGNORECASE)
# the `r` attribute of a cell (`r="XFD1048576"`) or of a row (`r="1048576"`)
REFERENCE = re.compile(rb" r=\"([A-Za-z]{0,7})(\d{1,10})\"")
CELL_TAG = re.compile(rb"<(?:\w+:)?c[\s>/]")
DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*?\bref=\"([^\"]{1,40})\"")
RANGE_END = re.compile(r"([A-Za-z]{1,7})(\d{1,10})$")
OVERLAP = 512  # a tag cut between two blocks is seen whole in the next one


@dataclass
class _Extent:
    rows: int = 0
    columns: int = 0
    cells: int = 0
    dimension: str | None = None


def read_sheet(payload: bytes, origin: str, sheet_name: str, **options: Any) -> pl.DataFrame:
    """`polars.read_excel` (calamine) of one sheet, once the workbook passed its bounds."""
    check_workbook(payload, origin, Settings.from_env().xlsx_max_cells, ZipLimits.from_env())
    try:
        return pl.read_excel(
            io.BytesIO(payload), sheet_name=sheet_name, engine="calamine", **options
        )
    except Exception as error:  # untrusted bytes: any reader error means "cannot parse"
        raise ParseError(f"{origin}: not a readable '{sheet_name}' workbook: {error}") from None


def check_workbook(payload: bytes, origin: str, max_cells: int, limits: ZipLimits) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(payload)) as archive:
            check_members(archive, archive.namelist(), origin, limits)
            for name in archive.namelist():
                if WORKSHEET.match(name):
                    _check_extent(_scan(archive, name, origin, limits), origin, name, max_cells)
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise ParseError(f"{origin}: not a readable workbook: {error}") from None


def _scan(archive: zipfile.ZipFile, name: str, origin: str, limits: ZipLimits) -> _Extent:
    extent = _Extent()
    carried, read = b"", 0
    with archive.open(name) as reader:
        while block := reader.read(COPY_BLOCK_BYTES):
            read += len(block)
            if read > limits.max_bytes:
                raise ParseError(
                    f"{origin}: {name} expands past the {limits.max_bytes:,}-byte limit "
                    "(TRADEWATCH_ZIP_MAX_BYTES)"
                )
            text = carried + block
            _measure(text, extent, len(carried))
            carried = text[-OVERLAP:]
    return extent


def _measure(text: bytes, extent: _Extent, overlap: int) -> None:
    extent.cells += len(CELL_TAG.findall(text, overlap))  # tags counted once, in new bytes
    references = REFERENCE.findall(text)
    if references:
        extent.rows = max(extent.rows, max(int(row) for _, row in references))
        letters = {column for column, _ in references if column}
        extent.columns = max([extent.columns, *(_column_number(c.decode()) for c in letters)])
    if extent.dimension is None and (found := DIMENSION.search(text)):
        extent.dimension = found.group(1).decode("ascii", errors="replace")


def _check_extent(extent: _Extent, origin: str, name: str, max_cells: int) -> None:
    where = f"{origin}, {name}"
    if extent.dimension is not None:
        end = RANGE_END.search(extent.dimension)
        rows = int(end.group(2)) if end else 0
        columns = _column_number(end.group(1)) if end else 0
        if not end or rows > EXCEL_MAX_ROWS or columns > EXCEL_MAX_COLUMNS:
            raise ParseError(f"{where}: dimension {extent.dimension!r} is not an Excel range")
    if extent.rows > EXCEL_MAX_ROWS or extent.columns > EXCEL_MAX_COLUMNS:
        raise ParseError(f"{where}: refers to a cell outside Excel's grid")
    claimed = extent.rows * extent.columns
    if claimed > max_cells or extent.cells > max_cells:
        raise ParseError(
            f"{where}: refers to cells up to row {extent.rows:,}, column {extent.columns:,} "
            f"({claimed:,} cells, {extent.cells:,} written), more than the {max_cells:,}-cell "
            "limit (TRADEWATCH_XLSX_MAX_CELLS); refused before reading"
        )


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number
