"""Bounds on CSV rows for every CSV reader, so one endless line cannot take the memory.

A 5.3 MB BACI zip whose year file is one 1 GB line (under the zip ratio limit) cost 8 GB RSS
and printed a 1 GB error message. Every reader goes through here first: a physical line, or
a quoted record spanning lines (so any one field), longer than `TRADEWATCH_CSV_MAX_LINE_BYTES`
is a `ParseError` naming the file and row, with at most `SHOWN_BYTES` of the row quoted.
Files too big for memory are read by DuckDB with the same `max_line_size`.
"""

from __future__ import annotations

import io
import re
from typing import IO, Any

import polars as pl

from ingest.errors import ParseError
from ingest.settings import Settings

SHOWN_BYTES = 80
DUCKDB_BUFFER_BYTES = 8 * 1024**2  # DuckDB's buffer must be larger than its max line


def max_line_bytes() -> int:
    return Settings.from_env().csv_max_line_bytes


def check_rows(payload: bytes, origin: str, limit: int | None = None) -> None:
    """Refuse a payload with a line, or a quoted record over several lines, past the limit."""
    limit = max_line_bytes() if limit is None else limit
    if len(payload) <= limit:
        return
    start, row, record_start, record_row, quoted = 0, 1, 0, 1, False
    size = len(payload)
    while start < size:
        end = payload.find(b"\n", start)
        end = size if end < 0 else end
        if end - start > limit:
            raise too_long(origin, row, payload[start : start + SHOWN_BYTES], limit)
        quoted ^= payload.count(b'"', start, end) % 2 == 1
        if quoted and end - record_start > limit:
            shown = payload[record_start : record_start + SHOWN_BYTES]
            raise too_long(origin, record_row, shown, limit)
        start, row = end + 1, row + 1
        if not quoted:
            record_start, record_row = start, row


def read_line(reader: IO[bytes], origin: str, row: int = 1, limit: int | None = None) -> bytes:
    """One line of a file or zip member, reading no more than the limit."""
    limit = max_line_bytes() if limit is None else limit
    line = reader.readline(limit + 1)
    if len(line) > limit and not line.endswith(b"\n"):
        raise too_long(origin, row, line[:SHOWN_BYTES], limit)
    return line


def read_csv(payload: bytes, origin: str, **options: Any) -> pl.DataFrame:
    """`polars.read_csv` of a payload that passed `check_rows`; reader errors are ParseErrors."""
    check_rows(payload, origin)
    try:
        return pl.read_csv(io.BytesIO(payload), **options)
    except Exception as error:  # untrusted bytes: any reader error means "cannot parse"
        detail = " ".join(str(error).split())[:300]
        raise ParseError(f"{origin}: not a readable CSV: {detail}") from None


def duckdb_options() -> str:
    """`read_csv` options that give DuckDB the same bound (it then keeps its memory bounded)."""
    limit = max_line_bytes()
    return f"max_line_size = {limit}, buffer_size = {max(DUCKDB_BUFFER_BYTES, 2 * limit)}"


def from_duckdb(error: Exception, origin: str) -> ParseError | None:
    """DuckDB's own "Maximum line size … exceeded" (its message quotes the whole line) as
    the same one-line refusal as every other reader's."""
    text = str(error)
    exceeded = re.search(r"Maximum line size of (\d+) bytes exceeded", text)
    if exceeded is None:
        return None
    row = re.search(r"CSV Error on Line: (\d+)", text)
    line = re.search(rf"Original Line: (.{{0,{SHOWN_BYTES}}})", text)
    start = line.group(1).encode() if line else b""
    return too_long(origin, int(row.group(1)) if row else 0, start, int(exceeded.group(1)))


def too_long(origin: str, row: int, start: bytes, limit: int) -> ParseError:
    shown = start.decode("utf-8", errors="replace")
    return ParseError(
        f"{origin}, row {row}: longer than {limit:,} bytes (TRADEWATCH_CSV_MAX_LINE_BYTES); "
        f"starts {shown!r}…"
    )
