"""`tradewatch query --format csv` without polars: the same bytes polars' `write_csv` wrote.

The CSV has always been polars' (a header, "\\n" line ends, a field quoted only when it holds
a comma, a quote or a line break, an empty string quoted, null empty). The query path now
answers with Python values, and this module writes them in that format for the types the
marts use (`TYPES`); a result with any other type still goes through polars
(`access.query_for_csv`). tests/ingest/test_csv_text.py compares both writers on every mart.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any


def _field(text: str) -> str:
    if text == "":
        return '""'  # an empty string, told apart from null
    if any(mark in text for mark in ',"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _double(value: float) -> str:
    """Python's shortest repr in polars' spelling: exponents unpadded ("1e-7"), and the
    numbers from 1e-5 up to 1e-4 written out ("0.00001")."""
    if math.isnan(value):
        return "NaN"
    text = repr(value)
    if "e" not in text:
        return text
    mantissa, exponent = text.split("e")
    power = int(exponent)
    if power == -5:
        sign = "-" if mantissa.startswith("-") else ""
        return f"{sign}0.0000{mantissa.lstrip('-').replace('.', '')}"
    return f"{mantissa}e{'+' if power > 0 else '-'}{abs(power)}"


def _single(value: float) -> str:
    """A REAL: the fewest digits that read back as the same 32-bit float."""
    if not math.isfinite(value):
        return _double(value)
    packed = struct.pack("<f", value)
    for digits in range(1, 10):
        text = f"{value:.{digits}g}"
        if struct.pack("<f", float(text)) == packed:
            return _double(float(text))
    return _double(value)


def _decimal(value: Decimal) -> str:
    return format(value, "f")


def _boolean(value: bool) -> str:
    return "true" if value else "false"


def _time(value: time) -> str:
    return value.isoformat(timespec="microseconds") + "000"  # polars: nanoseconds


def _timestamp(value: datetime) -> str:
    return value.isoformat(timespec="microseconds")


def _timestamptz(value: datetime) -> str:
    offset = value.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign, minutes = ("-", -minutes) if minutes < 0 else ("+", minutes)
    local = value.replace(tzinfo=None).isoformat(timespec="microseconds")
    return f"{local}{sign}{minutes // 60:02d}{minutes % 60:02d}"


def _date(value: date) -> str:
    return value.isoformat()


_INTEGERS = (
    "tinyint smallint integer bigint hugeint utinyint usmallint uinteger ubigint uhugeint uuid"
)
# DuckDB type id -> how polars writes a value of it
WRITERS: dict[str, Callable[[Any], str]] = {
    **dict.fromkeys(_INTEGERS.split(), str),
    "double": _double,
    "float": _single,
    "decimal": _decimal,
    "boolean": _boolean,
    "varchar": _field,
    "date": _date,
    "time": _time,
    "timestamp": _timestamp,
    "timestamp with time zone": _timestamptz,
}
TYPES = frozenset(WRITERS)


def render(columns: Sequence[str], types: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> str:
    """The CSV of a result whose every column type is in TYPES."""
    writers = [WRITERS[name] for name in types]
    lines = [",".join(_field(name) for name in columns)]
    for row in rows:
        cells = zip(writers, row, strict=True)
        lines.append(",".join("" if value is None else write(value) for write, value in cells))
    return "\n".join(lines) + "\n"
