"""Which HS6 products a BACI load keeps: the rare-earth basket unless told otherwise."""

from __future__ import annotations

import re

import polars as pl

from ingest.basket import basket_codes
from ingest.errors import TradewatchError


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


def chunk_name(codes: tuple[str, ...] | None) -> str:
    """The ledger's identity of a load: the same file kept whole or filtered is another load."""
    if codes is None:
        return "products:all"
    if codes == basket_codes():
        return "products:rare-earth-basket"
    return "products:" + ",".join(codes)


def keep(frame: pl.DataFrame, column: str, codes: tuple[str, ...] | None) -> pl.DataFrame:
    if codes is None:
        return frame
    return frame.filter(pl.col(column).str.pad_start(6, "0").is_in(list(codes)))
