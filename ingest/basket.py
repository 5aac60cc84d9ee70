"""The rare-earth HS6 basket: one bundled file, `bundled/reference/rare_earth_hs_basket.csv`
(provenance in `bundled/reference/PROVENANCE.md`), read through this module only. The
reference source loads it into `raw_reference.rare_earth_hs_basket` for dbt; BACI and
Comtrade keep its codes by default.

Standard library only: the benchmark's DuckDB floor reads the codes here, and polars or the
settings would add their import time to what it measures.
"""

from __future__ import annotations

import csv
import io
import re
from functools import cache
from pathlib import Path

from ingest.errors import ParseError, TradewatchError

BASKET_FILE = Path(__file__).resolve().parent / "bundled" / "reference" / "rare_earth_hs_basket.csv"
BASKET_COLUMNS = (
    "hs6",
    "hs6_description_hs2022",
    "stage",
    "mart_group",
    "tier",
    "specificity",
    "in_stage_total",
    "scope_note",
    "who_uses_it",
    "source_url",
    "description_source_url",
)
BASKET_FLAGS = ("in_stage_total",)  # true/false; every other column is text
FLAGS = {"true": True, "false": False}

BasketCell = str | bool | None


def read_basket(payload: bytes, origin: str) -> list[tuple[BasketCell, ...]]:
    """The basket's rows in `BASKET_COLUMNS` order: text as written (an empty cell is null),
    `in_stage_total` a boolean; a different header or flag names the file, row and field."""
    try:
        lines = list(csv.reader(io.StringIO(payload.decode("utf-8-sig"))))
    except (UnicodeDecodeError, csv.Error) as error:
        raise ParseError(f"{origin}: not a UTF-8 CSV ({error})") from None
    reader = iter(lines)
    header = tuple(next(reader, ()))
    if header != BASKET_COLUMNS:
        raise ParseError(f"{origin}: columns {list(header)}, expected {list(BASKET_COLUMNS)}")
    flags = [BASKET_COLUMNS.index(name) for name in BASKET_FLAGS]
    rows = []
    for number, cells in enumerate(reader, start=2):
        if len(cells) != len(BASKET_COLUMNS):
            raise ParseError(
                f"{origin}, row {number}: {len(cells)} fields, expected {len(BASKET_COLUMNS)}"
            )
        row: list[BasketCell] = [cell if cell != "" else None for cell in cells]
        for index in flags:
            if cells[index] not in FLAGS:
                raise ParseError(
                    f"{origin}, row {number}, {BASKET_COLUMNS[index]}: "
                    f"{cells[index]!r} is not true or false"
                )
            row[index] = FLAGS[cells[index]]
        rows.append(tuple(row))
    return rows


@cache
def basket_codes() -> tuple[str, ...]:
    """The basket's HS6 codes, sorted, as text."""
    rows = read_basket(BASKET_FILE.read_bytes(), BASKET_FILE.name)
    return tuple(sorted(str(row[0]) for row in rows))


def product_filter(
    all_products: bool = False, products: str | tuple[str, ...] | None = None
) -> tuple[str, ...] | None:
    """None keeps every product; otherwise the HS6 codes to keep (default: the basket)."""
    if all_products and products:
        raise TradewatchError("give either --all-products or --products, not both")
    if all_products:
        return None
    if not products:
        return basket_codes()
    listed = products.split(",") if isinstance(products, str) else products
    codes = tuple(sorted({code.strip() for code in listed if code.strip()}))
    bad = [code for code in codes if not re.fullmatch(r"\d{6}", code)]
    if bad or not codes:
        raise TradewatchError(f"--products takes six-digit HS codes, got {bad or products!r}")
    return codes
