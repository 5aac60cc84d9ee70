"""reference: the HS 2022 nomenclature and sections datasets."""

from __future__ import annotations

import polars as pl

from ingest.sources.base import bundled_path
from ingest.sources.reference import (
    HS_CODES,
    HS_CODES_DATASET,
    HS_SECTIONS,
    HS_SECTIONS_DATASET,
    REFERENCE,
    parse_hs_codes,
    parse_hs_sections,
)

CODES_FILE = "harmonized_system_hs2022.csv"
SECTIONS_FILE = "harmonized_system_sections.csv"


def codes() -> pl.DataFrame:
    path = bundled_path("reference", CODES_FILE)
    return parse_hs_codes(path.read_bytes(), CODES_FILE)[HS_CODES.name]


def test_hs_codes_stay_text_with_their_levels() -> None:
    frame = codes()
    assert frame.schema == HS_CODES.schema
    assert frame.height == 6940
    assert frame.group_by("level").len().sort("level").rows() == [
        (2, 97),
        (4, 1229),
        (5, 1),
        (6, 5613),
    ]
    live_animals = frame.filter(pl.col("hs_code") == "0101").row(0, named=True)
    assert (live_animals["parent_code"], live_animals["section"]) == ("01", "I")
    rare_earth_metals = frame.filter(pl.col("hs_code") == "280530").row(0, named=True)
    assert rare_earth_metals["description"] == (
        "Earth-metals, rare; scandium and yttrium, whether or not intermixed or interalloyed"
    )
    assert set(frame["nomenclature"]) == {"HS2022"}


def test_hs_sections() -> None:
    path = bundled_path("reference", SECTIONS_FILE)
    frame = parse_hs_sections(path.read_bytes(), SECTIONS_FILE)[HS_SECTIONS.name]
    assert frame.height == 21
    assert (
        frame.filter(pl.col("section") == "XVI")["section_name"]
        .item()
        .startswith("Machinery and mechanical appliances")
    )


def test_from_file_tells_hs_files_apart() -> None:
    (hs_codes,) = REFERENCE.from_file(bundled_path("reference", CODES_FILE))
    (hs_sections,) = REFERENCE.from_file(bundled_path("reference", SECTIONS_FILE))
    assert hs_codes.dataset is HS_CODES_DATASET
    assert hs_sections.dataset is HS_SECTIONS_DATASET


def test_a_cell_of_spaces_is_null_like_an_empty_one() -> None:
    from ingest.sources.reference import CENSUS_CODES, parse_census_codes

    payload = (
        b"census_cty_code,census_name,iso2,schedule_c_list_produced,source_url\n"
        b"4890,Turkey,  ,27JAN21,https://example.org\n"
    )
    frame = parse_census_codes(payload, "census.csv")[CENSUS_CODES.name]
    assert frame.row(0, named=True)["iso2"] is None
