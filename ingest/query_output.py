"""How `tradewatch query` prints a result: a table, CSV, JSON, and a hint for an empty mart.

A number is never cut. When the table does not fit the terminal, wide headers and text fold
while numbers and dates keep their full width; when even that does not fit, each row prints
as a vertical record. Piped output (no terminal, no COLUMNS) has no width limit at all.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import sys
from collections.abc import Iterator, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any, Protocol, TextIO, runtime_checkable

from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ingest.console import SETTINGS

NULL = "null"
TEXT_MIN_WIDTH = 10  # a folded text column keeps at least this many characters a line


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


class ColumnType(Protocol):
    def is_numeric(self) -> bool: ...
    def is_temporal(self) -> bool: ...


class Tabular(Protocol):
    """A query's answer: `access.QueryResult`, or a polars frame (its CSV writer is the one
    `--format csv` uses)."""

    @property
    def columns(self) -> list[str]: ...
    @property
    def dtypes(self) -> Sequence[ColumnType]: ...
    @property
    def height(self) -> int: ...
    def iter_rows(self) -> Iterator[tuple[Any, ...]]: ...


@runtime_checkable
class CsvTabular(Tabular, Protocol):
    def write_csv(self) -> str: ...


def write(frame: Tabular, output: OutputFormat, stream: TextIO | None = None) -> None:
    """A table or JSON; CSV (`write_csv`) for a frame that writes its own."""
    stream = stream or sys.stdout
    if output is OutputFormat.csv:
        if not isinstance(frame, CsvTabular):
            raise TypeError(f"{type(frame).__name__} does not write CSV: query a frame for it")
        stream.write(frame.write_csv())
    elif output is OutputFormat.json:
        stream.write(to_json(frame) + "\n")
    else:
        print_table(frame, stream)


def output_width(stream: TextIO) -> int | None:
    """COLUMNS if set, else the terminal's width; None (no limit) when piped."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    if stream.isatty():
        return shutil.get_terminal_size().columns
    return None


def format_value(value: Any) -> str:
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime | date | time):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    return str(value)


def _keeps_width(dtype: ColumnType) -> bool:
    """Numbers, dates and booleans are never folded."""
    return dtype.is_numeric() or dtype.is_temporal() or str(dtype) == "Boolean"


def print_table(frame: Tabular, stream: TextIO | None = None) -> None:
    stream = stream or sys.stdout
    cells = [[format_value(value) for value in row] for row in frame.iter_rows()]
    fixed = [_keeps_width(dtype) for dtype in frame.dtypes]
    natural = [
        max([cell_len(name), *(cell_len(row[index]) for row in cells)])
        for index, name in enumerate(frame.columns)
    ]
    limit = output_width(stream)
    borders = 3 * len(natural) + 1
    widths = natural if limit is None else _fit(cells, fixed, natural, limit)
    if widths is None:
        _print_records(frame.columns, cells, fixed, stream, limit or 0)
        return
    table = Table(show_lines=False)
    for name, width, keeps, dtype in zip(frame.columns, widths, fixed, frame.dtypes, strict=True):
        table.add_column(
            Text(name, overflow="fold"),
            width=width,
            justify="right" if dtype.is_numeric() else "left",
            no_wrap=keeps,
            overflow="fold",
        )
    for row in cells:
        table.add_row(*(Text(cell, style="dim" if cell == NULL else "") for cell in row))
    console = Console(file=stream, width=sum(widths) + borders, **SETTINGS)
    console.print(table, crop=False)


def _fit(
    cells: list[list[str]], fixed: list[bool], natural: list[int], limit: int
) -> list[int] | None:
    """Column widths within `limit`, or None when the numbers alone do not fit."""
    borders = 3 * len(natural) + 1
    if sum(natural) + borders <= limit:
        return natural
    least_text = [min(natural[index], TEXT_MIN_WIDTH) for index in range(len(natural))]
    minimum = [  # a number keeps every digit; a header or text folds to lines of 10 or more
        max([least_text[index], *(cell_len(row[index]) for row in cells)])
        if keeps
        else least_text[index]
        for index, keeps in enumerate(fixed)
    ]
    spare = limit - borders - sum(minimum)
    if spare < 0:
        return None
    wants = [full - least for full, least in zip(natural, minimum, strict=True)]
    total_wants = sum(wants) or 1
    return [
        least + (spare * want) // total_wants for least, want in zip(minimum, wants, strict=True)
    ]


def _print_records(
    names: list[str], cells: list[list[str]], fixed: list[bool], stream: TextIO, limit: int
) -> None:
    """One block per row: `name │ value`; text folds to the width, numbers never."""
    label = max(cell_len(name) for name in names)
    room = max(limit - label - 3, TEXT_MIN_WIDTH)
    for number, row in enumerate(cells, start=1):
        title = f"─[ row {number} ]"
        stream.write(title + "─" * max(limit - cell_len(title), 3) + "\n")
        for name, cell, keeps in zip(names, row, fixed, strict=True):
            lines = [cell] if keeps else _fold(cell, room)
            for index, line in enumerate(lines):
                shown = name if index == 0 else ""
                stream.write(f"{shown.ljust(label)} │ {line}\n")
    if not cells:
        stream.write(f"(0 rows; columns: {', '.join(names)})\n")


def _fold(text: str, width: int) -> list[str]:
    lines = []
    for paragraph in text.splitlines() or [""]:
        while cell_len(paragraph) > width:
            cut = paragraph.rfind(" ", 0, width + 1)
            cut = cut if cut > 0 else width
            lines.append(paragraph[:cut].rstrip())
            paragraph = paragraph[cut:].lstrip()
        lines.append(paragraph)
    return lines


def to_json(frame: Tabular) -> str:
    """An array of row objects: numbers stay JSON numbers (a DECIMAL keeps every digit),
    dates and times are ISO 8601 strings."""
    records = (
        "{" + ", ".join(f"{json.dumps(name)}: {_json_value(value)}" for name, value in row) + "}"
        for row in (zip(frame.columns, values, strict=True) for values in frame.iter_rows())
    )
    return "[" + ",\n ".join(records) + "]"


def _json_value(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return format(value, "f") if value.is_finite() else "null"
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else "null"
    if isinstance(value, datetime | date | time):
        return json.dumps(value.isoformat())
    if isinstance(value, timedelta):
        return json.dumps(str(value))
    if isinstance(value, list):
        return "[" + ", ".join(_json_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return (
            "{"
            + ", ".join(f"{json.dumps(str(k))}: {_json_value(v)}" for k, v in value.items())
            + "}"
        )
    return json.dumps(str(value))
