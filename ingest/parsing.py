"""Parsing helpers every source shares: text CSVs, required columns, checked casts.

Every error is one `ParseError` line naming the file, the row and the field.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping

import polars as pl
from polars.datatypes import DataTypeClass

from ingest.csvlimits import check_rows, read_csv
from ingest.errors import ParseError

# what a column becomes: a polars type (a lenient cast), or the expression that parses it
# (null where the text is not a value)
Cast = pl.DataType | DataTypeClass | pl.Expr


def read_text_csv(payload: bytes, origin: str, **options: object) -> pl.DataFrame:
    """A CSV with every cell as text: codes keep their leading zeros, numbers are cast by
    `cast_columns`, which names the first cell that is not one."""
    return read_csv(payload, origin, infer_schema_length=0, **options)


def csv_records(
    payload: bytes,
    origin: str,
    *,
    undecodable: str = "not a UTF-8 CSV file",
    unreadable: str = "not a readable CSV file",
) -> list[list[str]]:
    """The rows of a UTF-8 CSV (a BOM allowed) as lists of cells, rows bounded in length
    (`csvlimits`); for files whose layout polars cannot read (title lines, ragged rows)."""
    check_rows(payload, origin)
    try:
        text = payload.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ParseError(f"{origin}: {undecodable}: {error}") from None
    try:
        return list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as error:
        raise ParseError(f"{origin}: {unreadable}: {error}") from None


def require_columns(frame: pl.DataFrame, columns: tuple[str, ...], origin: str) -> pl.DataFrame:
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ParseError(f"{origin}, row 1: missing column(s) {', '.join(missing)}")
    return frame


def read_code_list(payload: bytes, origin: str, columns: Mapping[str, str]) -> pl.DataFrame:
    """A published code list: the `columns` (published name → ours) as text, a cell of
    spaces as empty as an empty one (null, never ""), codes as written (`NA` is Namibia)."""
    frame = read_text_csv(payload, origin, null_values=[""])
    require_columns(frame, tuple(columns), origin)
    stripped = (
        pl.col(old).str.strip_chars().replace("", None).alias(new) for old, new in columns.items()
    )
    return frame.select(list(stripped))


def cast_columns(
    frame: pl.DataFrame,
    casts: Mapping[str, Cast],
    where: str,
    *,
    row: str = "_row",
    first_row: int = 2,
    row_label: str = "row {}",
    field_label: str = "{}",
    problem: str | Callable[[str], str] = "is not a number",
    nullable: bool = True,
) -> pl.DataFrame:
    """Cast text columns one by one; the first cell that does not parse stops the file with
    `{where}, row N, field: 'value' is not a number`.

    `row` names the frame's row-number column; without one, rows are numbered from
    `first_row` (2: the line after the header) and the numbers are dropped afterwards.
    A null cell stays null when `nullable`, and is an error otherwise."""
    numbered = row in frame.columns
    if not numbered:
        frame = frame.with_row_index(row, offset=first_row)
    for column, cast in casts.items():
        parsed = cast if isinstance(cast, pl.Expr) else pl.col(column).cast(cast, strict=False)
        unparsed = parsed.is_null() & pl.col(column).is_not_null() if nullable else parsed.is_null()
        bad = frame.filter(unparsed)
        if bad.height:
            first = bad.row(0, named=True)
            said = problem(column) if callable(problem) else problem
            raise ParseError(
                f"{where}, {row_label.format(first[row])}, {field_label.format(column)}: "
                f"{first[column]!r} {said}"
            )
        frame = frame.with_columns(parsed.alias(column))
    return frame if numbered else frame.drop(row)
