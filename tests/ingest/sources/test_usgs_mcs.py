"""usgs-mcs parsers on the real bundled files: exact published figures, header drift per
edition, BOM/CRLF, non-numeric cells kept as text, and clear errors for bad input."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import polars as pl
import pytest

from ingest.errors import ParseError
from ingest.sources.base import bundled_path
from ingest.sources.usgs_mcs import (
    COMPILED_IMPORT_SOURCES,
    COMPILED_SALIENT,
    COMPILED_WORLD,
    RELEASE_SALIENT,
    RELEASE_WORLD,
    USGS_MCS,
    dataset_for,
    frames,
)
from ingest.sources.usgs_mcs.cells import Cell, CellError, parse_cell
from ingest.sources.usgs_mcs.release import SALIENT_FIELDS
from ingest.sources.usgs_mcs.tables import IMPORT_SOURCES, US_SALIENT, WORLD_PRODUCTION
from tests.conftest import fixture_path

COMPILED_WORLD_FILE = "usgs_mcs_rare_earths_world_production_reserves.csv"
COMPILED_SALIENT_FILE = "usgs_mcs_rare_earths_us_salient.csv"
COMPILED_IMPORTS_FILE = "usgs_mcs_us_import_sources.csv"


def bundled(name: str) -> bytes:
    return bundled_path("usgs_mcs", name).read_bytes()


def world(name: str) -> pl.DataFrame:
    return frames(bundled(name), name)[WORLD_PRODUCTION.name]


def salient(name: str) -> pl.DataFrame:
    return frames(bundled(name), name)[US_SALIENT.name]


def one(frame: pl.DataFrame, **where: object) -> dict[str, object]:
    rows = frame.filter(
        *[pl.col(k).eq(v) if v is not None else pl.col(k).is_null() for k, v in where.items()]
    )
    assert rows.height == 1, f"{where}: {rows.height} rows"
    return rows.row(0, named=True)


# --- exact published figures ---------------------------------------------------------------


def test_mcs2025_world_production_2024_and_china() -> None:
    frame = world(COMPILED_WORLD_FILE)
    world_2024 = one(
        frame,
        edition="MCS2025",
        country="World total (rounded)",
        measure="mine_production",
        year=2024,
    )
    assert world_2024["value_t_reo"] == 390_000
    assert world_2024["value_as_published"] == "390,000"
    assert world_2024["is_estimate"] is True
    china_2024 = one(
        frame, edition="MCS2025", country="China", measure="mine_production", year=2024
    )
    assert china_2024["value_t_reo"] == 270_000
    china_reserves = one(frame, edition="MCS2025", country="China", measure="reserves", year=None)
    assert china_reserves["value_t_reo"] == 44_000_000
    assert china_reserves["value_as_published"] == "44,000,000"


def test_china_2023_is_revised_from_one_edition_to_the_next() -> None:
    mcs2024 = one(
        world("mcs2024-raree_world.csv"), country="China", measure="mine_production", year=2023
    )
    mcs2025 = one(
        world(COMPILED_WORLD_FILE),
        edition="MCS2025",
        country="China",
        measure="mine_production",
        year=2023,
    )
    assert (mcs2024["edition"], mcs2024["value_t_reo"]) == ("MCS2024", 240_000)
    assert (mcs2025["edition"], mcs2025["value_t_reo"]) == ("MCS2025", 255_000)
    assert mcs2024["published_field"] == "Prod_t_est_2023"


def test_us_salient_figures_by_edition() -> None:
    mcs2025 = salient(COMPILED_SALIENT_FILE)
    assert (
        one(mcs2025, edition="MCS2025", year=2024, metric="production_mineral_concentrates")[
            "value"
        ]
        == 45_000
    )
    nir = one(
        mcs2025, edition="MCS2025", year=2024, metric="net_import_reliance_compounds_and_metals"
    )
    assert (nir["value"], nir["value_as_published"], nir["unit"]) == (
        80,
        "80",
        "pct of apparent consumption",
    )
    # U.S. concentrate production 2022 as each edition printed it
    assert (
        one(
            salient("mcs2023-raree_salient.csv"),
            year=2022,
            metric="production_mineral_concentrates",
        )["value"]
        == 43_000
    )
    assert (
        one(
            salient("mcs2024-raree_salient.csv"),
            year=2022,
            metric="production_mineral_concentrates",
        )["value"]
        == 42_000
    )
    assert (
        one(mcs2025, edition="MCS2025", year=2022, metric="production_mineral_concentrates")[
            "value"
        ]
        == 42_500
    )


def test_import_sources_keep_mcs2025_shares() -> None:
    frame = frames(bundled(COMPILED_IMPORTS_FILE), COMPILED_IMPORTS_FILE)[IMPORT_SOURCES.name]
    china = one(frame, edition="MCS2025", rank_in_list=1)
    assert (china["country"], china["share_pct"], china["period"]) == ("China", 70, "2020-2023")
    assert (
        one(
            frame,
            edition="MCS2024",
            commodity_scope="RARE EARTHS, compounds and metals",
            rank_in_list=2,
        )["share_pct"]
        is None
    )


# --- header drift per edition --------------------------------------------------------------


def test_salient_header_drift_maps_every_edition_to_the_same_metrics() -> None:
    editions = {
        name: salient(f"{name}-raree_salient.csv") for name in ("mcs2022", "mcs2023", "mcs2024")
    }
    metric_sets = {name: set(frame["metric"]) for name, frame in editions.items()}
    assert len(metric_sets["mcs2022"]) == 19
    assert metric_sets["mcs2022"] == metric_sets["mcs2023"] == metric_sets["mcs2024"]
    fields = {
        name: dict(frame.select("metric", "published_field").unique().iter_rows())
        for name, frame in editions.items()
    }
    nir = "net_import_reliance_compounds_and_metals"
    assert [fields[name][nir] for name in ("mcs2022", "mcs2023", "mcs2024")] == [
        "NIR_Compounds-Metals_t",
        "NIR_Compounds-Metals_pct",
        "NIR_Compounds-Metals_t",
    ]
    employment = "employment_mine_and_mill"
    assert fields["mcs2022"][employment] == "Employment_num"
    assert fields["mcs2024"][employment] == "Employment_m"
    assert one(editions["mcs2024"], year=2023, metric=employment)["value"] == 450


def test_quoted_thousands_separator_in_mcs2024_salient() -> None:
    row = one(
        salient("mcs2024-raree_salient.csv"),
        year=2021,
        metric="apparent_consumption_compounds_and_metals",
    )
    assert (row["value"], row["value_as_published"]) == (7_900, "7,900")


def test_world_header_drift_years_estimates_and_reserves() -> None:
    mcs2022 = world("mcs2022-raree_world.csv")
    assert set(mcs2022["measure"]) == {"mine_production"}  # MCS2022 has no reserves column
    us_2020 = one(mcs2022, country="United States", year=2020)
    us_2021 = one(mcs2022, country="United States", year=2021)
    assert (us_2020["value_t_reo"], us_2020["is_estimate"], us_2020["published_field"]) == (
        39_000,
        False,
        "Prod_t_2020",
    )
    assert (us_2021["value_t_reo"], us_2021["is_estimate"], us_2021["published_field"]) == (
        43_000,
        True,
        "Prod_t_Est_2021",
    )
    mcs2023 = world("mcs2023-raree_world.csv")
    assert (
        one(mcs2023, country="World total (rounded)", measure="reserves", year=None)["value_t_reo"]
        == 130_000_000
    )
    assert one(mcs2023, country="China", year=2021)["note"] == (
        "Production quota; does not include undocumented production."
    )


def test_mcs2024_world_drops_unnamed_columns_and_comma_only_lines() -> None:
    payload = bundled("mcs2024-raree_world.csv")
    assert payload.count(b",,,,,,,,,,,,,,,,,,,,\r\n") >= 22  # the published quirk is present
    frame = world("mcs2024-raree_world.csv")
    assert frame.height == 16 * 3  # 16 rows x (2 production years + reserves)
    assert frame["country"].n_unique() == 16
    assert "Other countries" not in set(frame["country"])
    assert one(frame, country="Thailand", measure="reserves", year=None)["value_t_reo"] == 4_500


def test_bom_and_crlf_are_read_and_make_no_difference() -> None:
    payload = bundled("mcs2023-raree_salient.csv")
    assert payload.startswith(b"\xef\xbb\xbfDataSource,") and b"\r\n" in payload
    plain = payload.removeprefix(b"\xef\xbb\xbf").replace(b"\r\n", b"\n")
    parsed = frames(payload, "mcs2023-raree_salient.csv")[US_SALIENT.name]
    assert parsed.equals(frames(plain, "mcs2023-raree_salient.csv")[US_SALIENT.name])
    assert parsed["edition"].unique().to_list() == ["MCS2023"]


# --- non-numeric cells ----------------------------------------------------------------------


def test_non_numeric_cells_keep_their_text() -> None:
    mcs2022 = salient("mcs2022-raree_salient.csv")
    xx = one(mcs2022, year=2017, metric="net_import_reliance_mineral_concentrates")
    assert (xx["value"], xx["value_as_published"], xx["value_flag"]) == (
        None,
        "XX",
        "not_applicable",
    )
    e = one(mcs2022, year=2018, metric="net_import_reliance_mineral_concentrates")
    assert (e["value"], e["value_as_published"], e["value_flag"]) == (None, "E", "net_exporter")
    bound = one(mcs2022, year=2021, metric="net_import_reliance_compounds_and_metals")
    assert (bound["value"], bound["value_as_published"], bound["value_bound"]) == (None, ">90", 90)
    mcs2025 = world(COMPILED_WORLD_FILE)
    dash = one(mcs2025, edition="MCS2025", country="Canada", year=2024)
    assert (dash["value_t_reo"], dash["value_as_published"], dash["value_flag"]) == (0, "—", "zero")
    na = one(mcs2025, edition="MCS2025", country="Burma", measure="reserves", year=None)
    assert (na["value_t_reo"], na["value_as_published"], na["value_flag"]) == (
        None,
        "NA",
        "not_available",
    )
    over = one(
        mcs2025, edition="MCS2025", country="World total (rounded)", measure="reserves", year=None
    )
    assert (over["value_t_reo"], over["value_bound"], over["value_flag"]) == (
        None,
        90_000_000,
        "greater_than",
    )


def test_compiled_prose_values_keep_the_number_column() -> None:
    row = one(
        salient(COMPILED_SALIENT_FILE),
        edition="MCS2025",
        year=2024,
        metric="value_mineral_concentrates_produced",
    )
    assert (row["value"], row["unit"], row["value_as_published"], row["value_flag"]) == (
        260,
        "USD million",
        "$260 million",
        None,
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,300", Cell(1300.0, None)),
        ("0", Cell(0.0, None)),
        ("4.6", Cell(4.6, None)),
        ("—", Cell(0.0, "zero")),
        ("W", Cell(None, "withheld")),
        ("NA", Cell(None, "not_available")),
        ("XX", Cell(None, "not_applicable")),
        ("E", Cell(None, "net_exporter")),
        (">95", Cell(None, "greater_than", 95.0)),
        (">90,000,000", Cell(None, "greater_than", 90_000_000.0)),
        ("<1", Cell(None, "less_than", 1.0)),
        (" 2.98\u00a0", Cell(2.98, None)),
        ("", None),
    ],
)
def test_parse_cell(text: str, expected: Cell | None) -> None:
    assert parse_cell(text) == expected


@pytest.mark.parametrize("text", ["n/a", "12e", "1,30", "--", "≈5"])
def test_parse_cell_refuses_unknown_text(text: str) -> None:
    with pytest.raises(CellError):
        parse_cell(text)


# --- both copies of MCS2023/2024 agree ----------------------------------------------------


@pytest.mark.parametrize("edition", ["MCS2023", "MCS2024"])
def test_long_tables_agree_with_the_release_csvs(edition: str) -> None:
    keys = ["edition", "year", "metric", "value", "value_as_published", "value_flag", "unit"]
    release = salient(f"{edition.lower()}-raree_salient.csv").select(keys).sort(keys[:3])
    compiled = (
        salient(COMPILED_SALIENT_FILE)
        .filter(pl.col("edition") == edition)
        .select(keys)
        .sort(keys[:3])
    )
    assert release.equals(compiled)
    world_keys = ["edition", "country", "measure", "year", "value_t_reo", "value_as_published"]
    release_world = world(f"{edition.lower()}-raree_world.csv").select(world_keys)
    compiled_world = world(COMPILED_WORLD_FILE).filter(pl.col("edition") == edition)
    assert release_world.sort(world_keys[:4]).equals(
        compiled_world.select(world_keys).sort(world_keys[:4])
    )


# --- bad input fails clearly ------------------------------------------------------------------


def test_unknown_salient_column_fails_naming_it() -> None:
    payload = bundled("mcs2024-raree_salient.csv").replace(b"Employment_m", b"Employment_k")
    with pytest.raises(ParseError, match=r"mcs2024-raree_salient\.csv.*Employment_k"):
        RELEASE_SALIENT.parse(payload, "mcs2024-raree_salient.csv")


def test_unknown_cell_text_fails_naming_row_and_column() -> None:
    payload = bundled("mcs2023-raree_world.csv").replace(b",168000,", b",168000?,")
    with pytest.raises(ParseError, match=r"row 8, column Prod_t_2021: '168000\?'"):
        RELEASE_WORLD.parse(payload, "mcs2023-raree_world.csv")


def test_value_under_an_unnamed_column_fails() -> None:
    lines = bundled("mcs2024-raree_world.csv").split(b"\r\n")
    assert lines[1].endswith(b",,,")  # the trailing unnamed columns
    payload = b"\r\n".join([lines[0], lines[1] + b"stray", *lines[2:]])
    with pytest.raises(ParseError, match=r"row 2: a value under an unnamed column"):
        RELEASE_WORLD.parse(payload, "mcs2024-raree_world.csv")


def test_another_commodity_is_refused() -> None:
    payload = fixture_path("usgs_mcs", "mcs2023-yttri_salient.csv").read_bytes()
    with pytest.raises(ParseError, match=r"'Yttrium' file; usgs-mcs loads Rare Earths only"):
        RELEASE_SALIENT.parse(payload, "mcs2023-yttri_salient.csv")


def test_file_named_for_another_edition_is_refused() -> None:
    with pytest.raises(ParseError, match="named for MCS2025 but its rows say MCS2024"):
        RELEASE_WORLD.parse(bundled("mcs2024-raree_world.csv"), "mcs2025-raree_world.csv")


def test_production_in_other_units_is_refused() -> None:
    payload = bundled("mcs2022-raree_world.csv").replace(b"Prod_t_2020", b"Prod_kt_2020")
    with pytest.raises(ParseError, match=r"production in kt, expected t"):
        RELEASE_WORLD.parse(payload, "mcs2022-raree_world.csv")


def test_compiled_number_must_match_its_published_text() -> None:
    payload = bundled(COMPILED_WORLD_FILE).replace(b',270000,"270,000",', b',270000,"275,000",')
    with pytest.raises(ParseError, match=r"row \d+, column value_t_reo: .*'275,000'"):
        COMPILED_WORLD.parse(payload, COMPILED_WORLD_FILE)


def test_not_utf8_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="not UTF-8"):
        RELEASE_SALIENT.parse(b"DataSource,Commodity,Year\r\nMCS2024,Rare Earths,\xff\r\n", "x.csv")


# --- --file detects the kind ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "dataset"),
    [
        ("mcs2022-raree_salient.csv", RELEASE_SALIENT),
        ("mcs2024-raree_world.csv", RELEASE_WORLD),
        (COMPILED_SALIENT_FILE, COMPILED_SALIENT),
        (COMPILED_WORLD_FILE, COMPILED_WORLD),
        (COMPILED_IMPORTS_FILE, COMPILED_IMPORT_SOURCES),
    ],
)
def test_file_kind_comes_from_the_header(name: str, dataset: object) -> None:
    assert dataset_for(bundled(name), name) is dataset
    (payload,) = USGS_MCS.from_file(bundled_path("usgs_mcs", name))
    assert payload.dataset is dataset and payload.fetch() == bundled(name)


def test_unknown_header_is_refused() -> None:
    with pytest.raises(ParseError, match=r"x\.csv, row 1: not a USGS MCS rare-earths file"):
        dataset_for(b"fact_id,subject\r\n", "x.csv")


def test_a_sciencebase_zip_loads_its_rare_earth_members(tmp_path: Path) -> None:
    archive = tmp_path / "salient.zip"
    with zipfile.ZipFile(archive, "w") as packed:
        packed.writestr("salient/mcs2024-raree_salient.csv", bundled("mcs2024-raree_salient.csv"))
        packed.writestr(
            "salient/mcs2023-yttri_salient.csv",
            fixture_path("usgs_mcs", "mcs2023-yttri_salient.csv").read_bytes(),
        )
    (payload,) = USGS_MCS.from_file(archive)
    assert payload.dataset is RELEASE_SALIENT
    assert payload.origin == "salient.zip#salient/mcs2024-raree_salient.csv"
    assert payload.fetch() == bundled("mcs2024-raree_salient.csv")


def test_a_zip_without_rare_earth_members_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "other.zip"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as packed:
        packed.writestr("mcs2023-yttri_salient.csv", b"DataSource\r\n")
    archive.write_bytes(buffer.getvalue())
    with pytest.raises(ParseError, match=r"other\.zip: no mcsYYYY-raree"):
        list(USGS_MCS.from_file(archive))


def test_every_declared_metric_has_one_unit() -> None:
    units: dict[str, set[str]] = {}
    for metric, unit in SALIENT_FIELDS.values():
        units.setdefault(metric, set()).add(unit)
    assert all(len(found) == 1 for found in units.values())
