"""A further Census country.xlsx vintage made from a bundled one, for revision tests.

The 2024-06 workbook with July 2024 published (every partner's June repeated, annual 2024
columns updated) and U.S. imports from Turkey in May 2011 and the 2011 annual column revised
up by $1,000 million: loaded with `--file`, it is vintage 2024-07 and revises two Turkey series.
(2011: before the saved API answers, which a dbt test holds to the workbook of their revision.)
"""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl

from ingest.sources.base import bundled_path
from ingest.sources.census_country import SHEET, WORKBOOK_COLUMNS
from tests.reliability.test_census_workbook_round_trip import workbook

REVISION_MUSD = 1000.0
TURKEY, REVISED_YEAR = "4890", 2011


def write_revised_vintage(path: Path) -> Path:
    source = bundled_path("census_country", "country_xlsx_2024-06.xlsx").read_bytes()
    sheet = pl.read_excel(
        io.BytesIO(source), sheet_name=SHEET, engine="calamine", infer_schema_length=0
    ).filter(pl.col("year").str.strip_chars().fill_null("") != "")
    rows = [_revised(row) for row in sheet.iter_rows(named=True)]
    path.write_bytes(workbook(list(WORKBOOK_COLUMNS), rows))
    return path


def _revised(row: dict[str, str]) -> dict[str, str | float]:
    out: dict[str, str | float] = {
        name: float(value) if name not in ("CTY_CODE", "CTYNAME") else value.strip()
        for name, value in row.items()
    }
    out["year"] = int(float(row["year"]))
    if out["year"] == 2024:
        for flow in ("I", "E"):
            out[f"{flow}JUL"] = out[f"{flow}JUN"]
            out[f"{flow}YR"] = float(out[f"{flow}YR"]) + float(out[f"{flow}JUN"])
    if out["CTY_CODE"] == TURKEY and out["year"] == REVISED_YEAR:
        out["IMAY"] = float(out["IMAY"]) + REVISION_MUSD
        out["IYR"] = float(out["IYR"]) + REVISION_MUSD
    return out
