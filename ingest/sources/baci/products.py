"""Which HS6 products a BACI load keeps: the rare-earth basket unless told otherwise."""

from __future__ import annotations

import polars as pl

from ingest.basket import basket_codes


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
