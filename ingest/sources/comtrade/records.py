"""Comtrade's one raw table, the API fields it keeps, and the datasets that fill it."""

from __future__ import annotations

import polars as pl
from polars.datatypes import DataTypeClass

from ingest.sources.base import Dataset, RawTable

SOURCE = "comtrade"
DUPLICATES_REMOVED = "exact_duplicate_records_removed"

# API field → raw column, in the API's order. Codes are text; `mosCode` is a string even in
# JSON while `motCode` is a number: both are stored as text.
FIELDS: tuple[tuple[str, str, DataTypeClass], ...] = (
    ("typeCode", "type_code", pl.String),
    ("freqCode", "freq_code", pl.String),
    ("refPeriodId", "ref_period_id", pl.Int32),
    ("refYear", "ref_year", pl.Int32),
    ("refMonth", "ref_month", pl.Int32),
    ("period", "period", pl.String),
    ("reporterCode", "reporter_code", pl.String),
    ("reporterISO", "reporter_iso", pl.String),
    ("reporterDesc", "reporter_desc", pl.String),
    ("flowCode", "flow_code", pl.String),
    ("flowDesc", "flow_desc", pl.String),
    ("partnerCode", "partner_code", pl.String),
    ("partnerISO", "partner_iso", pl.String),
    ("partnerDesc", "partner_desc", pl.String),
    ("partner2Code", "partner2_code", pl.String),
    ("partner2ISO", "partner2_iso", pl.String),
    ("partner2Desc", "partner2_desc", pl.String),
    ("classificationCode", "classification_code", pl.String),
    ("classificationSearchCode", "classification_search_code", pl.String),
    ("isOriginalClassification", "is_original_classification", pl.Boolean),
    ("cmdCode", "cmd_code", pl.String),
    ("cmdDesc", "cmd_desc", pl.String),
    ("aggrLevel", "aggr_level", pl.Int32),
    ("isLeaf", "is_leaf", pl.Boolean),
    ("customsCode", "customs_code", pl.String),
    ("customsDesc", "customs_desc", pl.String),
    ("mosCode", "mos_code", pl.String),
    ("motCode", "mot_code", pl.String),
    ("motDesc", "mot_desc", pl.String),
    ("qtyUnitCode", "qty_unit_code", pl.String),
    ("qtyUnitAbbr", "qty_unit_abbr", pl.String),
    ("qty", "qty", pl.Float64),
    ("isQtyEstimated", "is_qty_estimated", pl.Boolean),
    ("altQtyUnitCode", "alt_qty_unit_code", pl.String),
    ("altQtyUnitAbbr", "alt_qty_unit_abbr", pl.String),
    ("altQty", "alt_qty", pl.Float64),
    ("isAltQtyEstimated", "is_alt_qty_estimated", pl.Boolean),
    ("netWgt", "net_wgt", pl.Float64),
    ("isNetWgtEstimated", "is_net_wgt_estimated", pl.Boolean),
    ("grossWgt", "gross_wgt", pl.Float64),
    ("isGrossWgtEstimated", "is_gross_wgt_estimated", pl.Boolean),
    ("cifvalue", "cif_value", pl.Float64),
    ("fobvalue", "fob_value", pl.Float64),
    ("primaryValue", "primary_value", pl.Float64),
    ("legacyEstimationFlag", "legacy_estimation_flag", pl.Int32),
    ("isReported", "is_reported", pl.Boolean),
    ("isAggregate", "is_aggregate", pl.Boolean),
)
NATURAL_KEY = (
    "freq_code",
    "period",
    "reporter_code",
    "flow_code",
    "partner_code",
    "partner2_code",
    "cmd_code",
    "customs_code",
    "mot_code",
    "classification_code",
)

RECORDS = RawTable(
    name="raw_comtrade.records",
    schema=pl.Schema(
        {
            "vintage": pl.String,
            "layout": pl.String,
            **{column: dtype for _, column, dtype in FIELDS},
        }
    ),
    replace_key=("vintage", *NATURAL_KEY),
    description="One row per pull (vintage) and Comtrade record, every field as published; "
    "exact duplicate records are removed (and counted) before loading.",
)

ANNUAL = Dataset(SOURCE, "annual", (RECORDS,))
MONTHLY = Dataset(SOURCE, "monthly", (RECORDS,))
API_CSV = Dataset(SOURCE, "api_csv", (RECORDS,))
ATLAS_TRIMMED = Dataset(SOURCE, "atlas_trimmed", (RECORDS,))
