"""The rare-earth HS6 basket: one file, read by dbt (the seed `rare_earth_hs_basket`) and by
ingest through this module only (BACI and Comtrade keep these codes by default)."""

from __future__ import annotations

import re
from functools import cache

import polars as pl

from ingest.errors import TradewatchError
from ingest.settings import DBT_PROJECT_DIR

BASKET_FILE = DBT_PROJECT_DIR / "seeds" / "rare_earths" / "rare_earth_hs_basket.csv"


@cache
def basket_codes() -> tuple[str, ...]:
    """The basket's HS6 codes, sorted, as text."""
    basket = pl.read_csv(BASKET_FILE, infer_schema_length=0)
    return tuple(sorted(basket["hs6"].to_list()))


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
