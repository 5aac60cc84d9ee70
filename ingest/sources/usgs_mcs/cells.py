"""USGS cell text → number. The legend is printed in every Mineral Commodity Summaries edition.

`—` is zero by USGS definition; `W` (withheld), `NA` (not available), `XX` (not applicable) and
`E` (net exporter) are not numbers, so the value is null and the text is kept beside it;
`>95` and `<1` are bounds, kept as text with the bound as a number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

NUMBER = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
BOUND = re.compile(r"^([<>])\s*((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)$")
ZERO_DASHES = frozenset({"—", "–"})  # the PDF prints an em dash; some extracts an en dash
CODES = {
    "W": "withheld",
    "NA": "not_available",
    "XX": "not_applicable",
    "E": "net_exporter",
}
FLAGS = frozenset({"zero", "greater_than", "less_than", *CODES.values()})


@dataclass(frozen=True)
class Cell:
    value: float | None  # the number USGS published, 0 for `—`, else null
    flag: str | None  # null for a plain number; otherwise what the text means
    bound: float | None = None  # the number in `>95` / `<1`


class CellError(ValueError):
    """The text is none of the forms the USGS legend defines."""


def parse_cell(text: str | None) -> Cell | None:
    """None for an empty cell (nothing published); raises CellError for unknown text."""
    cleaned = (text or "").strip().replace("\u00a0", "")
    if not cleaned:
        return None
    if NUMBER.match(cleaned):
        return Cell(_number(cleaned), None)
    if cleaned in ZERO_DASHES:
        return Cell(0.0, "zero")
    if cleaned in CODES:
        return Cell(None, CODES[cleaned])
    bound = BOUND.match(cleaned)
    if bound:
        flag = "greater_than" if bound.group(1) == ">" else "less_than"
        return Cell(None, flag, _number(bound.group(2)))
    raise CellError(
        f"{cleaned!r} is not a number, `—`, a bound like `>95` or a USGS code ({', '.join(CODES)})"
    )


def _number(text: str) -> float:
    return float(text.replace(",", ""))
