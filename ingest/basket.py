"""The rare-earth HS6 basket: one file, read by dbt (the seed `rare_earth_hs_basket`) and by
ingest through this module only (BACI and Comtrade keep these codes by default)."""

from __future__ import annotations

from functools import cache

import polars as pl

from ingest.settings import DBT_PROJECT_DIR

BASKET_FILE = DBT_PROJECT_DIR / "seeds" / "rare_earths" / "rare_earth_hs_basket.csv"


@cache
def basket_codes() -> tuple[str, ...]:
    """The basket's HS6 codes, sorted, as text."""
    basket = pl.read_csv(BASKET_FILE, infer_schema_length=0)
    return tuple(sorted(basket["hs6"].to_list()))
