"""The raw tables of `usgs-mcs`. Every row keeps its edition; a new load of an edition
replaces that edition."""

from __future__ import annotations

import polars as pl

from ingest.sources.base import RawTable

US_SALIENT = RawTable(
    name="raw_usgs_mcs.us_salient",
    schema=pl.Schema(
        {
            "edition": pl.String,
            "commodity": pl.String,
            "year": pl.Int32,
            "metric": pl.String,
            "unit": pl.String,
            "value": pl.Float64,
            "value_as_published": pl.String,
            "value_flag": pl.String,
            "value_bound": pl.Float64,
            "is_estimate": pl.Boolean,
            "published_field": pl.String,
            "note": pl.String,
            "source_document": pl.String,
            "source_url": pl.String,
            "source_row": pl.Int32,
        }
    ),
    replace_key=("edition",),
    description="One row per edition, year and metric: U.S. salient statistics as published.",
)
WORLD_PRODUCTION = RawTable(
    name="raw_usgs_mcs.world_production",
    schema=pl.Schema(
        {
            "edition": pl.String,
            "country": pl.String,
            "measure": pl.String,
            "year": pl.Int32,
            "value_t_reo": pl.Float64,
            "value_as_published": pl.String,
            "value_flag": pl.String,
            "value_bound": pl.Float64,
            "is_estimate": pl.Boolean,
            "published_field": pl.String,
            "published_type": pl.String,
            "note": pl.String,
            "source_document": pl.String,
            "source_url": pl.String,
            "source_row": pl.Int32,
        }
    ),
    replace_key=("edition",),
    description=(
        "One row per edition, country (as USGS spells it), measure and year: mine production "
        "and reserves in metric tons of rare-earth-oxide equivalent; reserves have no year."
    ),
)
IMPORT_SOURCES = RawTable(
    name="raw_usgs_mcs.import_sources",
    schema=pl.Schema(
        {
            "edition": pl.String,
            "commodity_scope": pl.String,
            "period": pl.String,
            "rank_in_list": pl.Int32,
            "country": pl.String,
            "share_pct": pl.Float64,
            "note": pl.String,
            "source_document": pl.String,
            "source_url": pl.String,
            "source_row": pl.Int32,
        }
    ),
    replace_key=("edition",),
    description="One row per edition, commodity scope and listed U.S. import source.",
)
