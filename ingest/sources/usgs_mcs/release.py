"""USGS Mineral Commodity Summaries data-release CSVs: `mcsYYYY-raree_salient.csv` and
`mcsYYYY-raree_world.csv` (ScienceBase, one pair per edition).

Header names drift between editions (`Employment_num` / `Employment_m`, `NIR_*_t` / `NIR_*_pct`,
`Prod_t_Est_2021` / `Prod_t_est_2022`); every known spelling maps to one metric, and an unknown
column fails the load instead of being dropped.
"""

from __future__ import annotations

import re

import polars as pl

from ingest.sources.usgs_mcs.cells import CellError, parse_cell
from ingest.sources.usgs_mcs.csvfile import (
    Row,
    Table,
    edition_of,
    edition_year,
    parse_year,
    read_table,
    require_columns,
)
from ingest.sources.usgs_mcs.tables import US_SALIENT, WORLD_PRODUCTION

COMMODITY = "Rare Earths"
T_REO, USD_KG, COUNT, PCT = "t REO", "USD/kg", "number", "pct of apparent consumption"
# the metric names match the reshaped MCS 2025 table (compiled.py), so editions line up
SALIENT_FIELDS: dict[str, tuple[str, str]] = {
    "USprod_Concentrate_t": ("production_mineral_concentrates", T_REO),
    "USprod_Compounds-Metals_t": ("production_compounds_and_metals", T_REO),
    "Imports_Compounds_t": ("imports_compounds", T_REO),
    "Imports_Alloys_t": ("imports_metals_ferrocerium_alloys", T_REO),
    "Imports_Metals_t": ("imports_metals_re_metals_scandium_yttrium", T_REO),
    "Exports_Ores-Compounds_t": ("exports_ores_and_compounds", T_REO),
    "Exports_Alloys_t": ("exports_metals_ferrocerium_alloys", T_REO),
    "Exports_Metals_t": ("exports_metals_re_metals_scandium_yttrium", T_REO),
    "Consump_Compounds-Metals_t": ("apparent_consumption_compounds_and_metals", T_REO),
    "Price_CeO2_dkg": ("price_cerium_oxide_99_5pct", USD_KG),
    "Price_Dy2O3_dkg": ("price_dysprosium_oxide_99_5pct", USD_KG),
    "Price_Eu2O3_dkg": ("price_europium_oxide_99_99pct", USD_KG),
    "Price_La2O3_dkg": ("price_lanthanum_oxide_99_5pct", USD_KG),
    "Price_Mischmetal_dkg": ("price_mischmetal_65ce_35la", USD_KG),
    "Price_Nd2O3_dkg": ("price_neodymium_oxide_99_5pct", USD_KG),
    "Price_TbO2_dkg": ("price_terbium_oxide_99_99pct", USD_KG),
    "Employment_num": ("employment_mine_and_mill", COUNT),
    "Employment_m": ("employment_mine_and_mill", COUNT),  # MCS2024: a count despite the name
    "NIR_Compounds-Metals_pct": ("net_import_reliance_compounds_and_metals", PCT),
    "NIR_Compounds-Metals_t": ("net_import_reliance_compounds_and_metals", PCT),  # % despite _t
    "NIR_Concentrate_pct": ("net_import_reliance_mineral_concentrates", PCT),
    "NIR_Concentrate_t": ("net_import_reliance_mineral_concentrates", PCT),
}
# the data-release metadata: production "estimated for all years", the rest the latest year
ESTIMATED_EVERY_YEAR = frozenset(
    {"production_mineral_concentrates", "production_compounds_and_metals"}
)
SALIENT_IDS = ("DataSource", "Commodity", "Year")
WORLD_IDS = ("Source", "Country", "Type")
WORLD_OPTIONAL = ("Prod_notes", "Reserves_t", "Reserves_notes")
PRODUCTION_COLUMN = re.compile(
    r"^Prod_(?P<unit>[a-z]+)_(?:(?P<est>est)_)?(?P<year>\d{4})$", re.IGNORECASE
)
REO_TYPE = re.compile(r"rare-earth-oxide|\bREO\b", re.IGNORECASE)
# whole-release DOIs (National Minerals Information Center data releases on ScienceBase)
RELEASE_DOIS = {
    "MCS2022": "https://doi.org/10.5066/P9KKMCP4",
    "MCS2023": "https://doi.org/10.5066/P9WCYUI6",
    "MCS2024": "https://doi.org/10.5066/P144BA54",
    "MCS2025": "https://doi.org/10.5066/P13XCP3R",
}


def is_salient_header(header: tuple[str, ...]) -> bool:
    return header[: len(SALIENT_IDS)] == SALIENT_IDS


def is_world_header(header: tuple[str, ...]) -> bool:
    return header[: len(WORLD_IDS)] == WORLD_IDS


def parse_salient(payload: bytes, origin: str) -> dict[str, pl.DataFrame]:
    table = read_table(payload, origin)
    require_columns(table, SALIENT_IDS)
    _check_commodity(table)
    edition = edition_of(table, "DataSource")
    fields = _salient_fields(table, edition)
    years = {row.line: _data_year(table, row, "Year", edition) for row in table.rows}
    latest = max(years.values())
    records = []
    for row in table.rows:
        year = years[row.line]
        for column, (metric, unit) in fields.items():
            cell = _cell(table, row, column)
            records.append(
                {
                    "edition": edition,
                    "commodity": COMMODITY,
                    "year": year,
                    "metric": metric,
                    "unit": unit,
                    **cell,
                    "is_estimate": metric in ESTIMATED_EVERY_YEAR or year == latest,
                    "published_field": column,
                    "note": None,
                    **_provenance(table, edition, "salient statistics"),
                    "source_row": row.line,
                }
            )
    return {US_SALIENT.name: pl.DataFrame(records, schema=US_SALIENT.schema)}


def parse_world(payload: bytes, origin: str) -> dict[str, pl.DataFrame]:
    table = read_table(payload, origin)
    require_columns(table, WORLD_IDS)
    edition = edition_of(table, "Source")
    production = _production_columns(table, edition)
    records = []
    for row in table.rows:
        _check_reo_type(table, row)
        common = {
            "edition": edition,
            "country": row.cells["Country"].strip(),
            "published_type": row.cells["Type"].strip(),
            **_provenance(table, edition, "world mine production and reserves"),
            "source_row": row.line,
        }
        for column, (year, estimated) in production.items():
            records.append(
                {
                    **common,
                    "measure": "mine_production",
                    "year": year,
                    **_cell(table, row, column, value_column="value_t_reo"),
                    "is_estimate": estimated,
                    "published_field": column,
                    "note": _text(row, "Prod_notes"),
                }
            )
        if "Reserves_t" in table.header:
            records.append(
                {
                    **common,
                    "measure": "reserves",
                    "year": None,
                    **_cell(table, row, "Reserves_t", value_column="value_t_reo"),
                    "is_estimate": False,
                    "published_field": "Reserves_t",
                    "note": _text(row, "Reserves_notes"),
                }
            )
    return {WORLD_PRODUCTION.name: pl.DataFrame(records, schema=WORLD_PRODUCTION.schema)}


def _check_commodity(table: Table) -> None:
    for row in table.rows:
        commodity = row.cells["Commodity"].strip()
        if commodity.lower() != COMMODITY.lower():
            raise table.fail(
                f"this is a {commodity!r} file; usgs-mcs loads {COMMODITY} only", row, "Commodity"
            )


def _salient_fields(table: Table, edition: str) -> dict[str, tuple[str, str]]:
    columns = [name for name in table.header if name not in SALIENT_IDS]
    unknown = [name for name in columns if name not in SALIENT_FIELDS]
    if unknown:
        raise table.fail(
            f"{edition}: unknown salient column(s) {', '.join(unknown)}; map them "
            "in usgs_mcs/release.py SALIENT_FIELDS"
        )
    fields = {name: SALIENT_FIELDS[name] for name in columns}
    metrics = [metric for metric, _ in fields.values()]
    twice = sorted({metric for metric in metrics if metrics.count(metric) > 1})
    if twice:
        raise table.fail(f"{edition}: several columns hold {', '.join(twice)}")
    return fields


def _production_columns(table: Table, edition: str) -> dict[str, tuple[int, bool]]:
    columns: dict[str, tuple[int, bool]] = {}
    for name in table.header:
        if name in WORLD_IDS or name in WORLD_OPTIONAL:
            continue
        match = PRODUCTION_COLUMN.match(name)
        if not match:
            raise table.fail(f"{edition}: unknown world column {name}")
        if match.group("unit").lower() != "t":
            raise table.fail(
                f"{edition}: production in {match.group('unit')}, expected t (metric tons)",
                column=name,
            )
        year = int(match.group("year"))
        if year >= edition_year(edition):
            raise table.fail(f"{edition} cannot publish production for {year}", column=name)
        columns[name] = (year, match.group("est") is not None)
    if not columns:
        raise table.fail(f"{edition}: no production columns (Prod_t_YYYY)")
    return columns


def _check_reo_type(table: Table, row: Row) -> None:
    kind = row.cells["Type"]
    if not REO_TYPE.search(kind):
        raise table.fail(f"{kind.strip()!r} is not rare-earth-oxide (REO) equivalent", row, "Type")


def _data_year(table: Table, row: Row, column: str, edition: str) -> int:
    year = parse_year(table, row, column)
    if year >= edition_year(edition):
        raise table.fail(f"{edition} cannot publish data for {year}", row, column)
    return year


def _cell(table: Table, row: Row, column: str, value_column: str = "value") -> dict[str, object]:
    text = row.cells[column].strip()
    try:
        cell = parse_cell(text)
    except CellError as error:
        raise table.fail(str(error), row, column) from None
    return {
        value_column: cell.value if cell else None,
        "value_as_published": text or None,
        "value_flag": cell.flag if cell else None,
        "value_bound": cell.bound if cell else None,
    }


def _text(row: Row, column: str) -> str | None:
    return (row.cells.get(column) or "").strip() or None


def _provenance(table: Table, edition: str, what: str) -> dict[str, str]:
    name = table.origin.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
    url = table.origin if "://" in table.origin else RELEASE_DOIS.get(edition, "")
    return {
        "source_document": f"USGS Mineral Commodity Summaries {edition[3:]} data release, "
        f"RARE EARTHS {what} ({name})",
        "source_url": url,
    }
