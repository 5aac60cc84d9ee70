"""beylikova: the attributed facts file, value kept as text."""

from __future__ import annotations

import pytest

from ingest.errors import ParseError
from ingest.sources.base import bundled_path
from ingest.sources.beylikova import BEYLIKOVA, FACTS, FACTS_DATASET, parse_facts

FILE = "turkey_beylikova_rare_earth_facts.csv"


def payload() -> bytes:
    return bundled_path("beylikova", FILE).read_bytes()


def test_facts_keep_claimant_confidence_and_text_values() -> None:
    frame = parse_facts(payload(), FILE)[FACTS.name]
    assert frame.height == 20
    assert frame.schema == FACTS.schema
    first = frame.row(0, named=True)
    assert first["fact_id"] == "TR-REE-01"
    assert first["value"] == "694000000"  # text, as the catalog asks
    assert first["claimant"] == (
        "Turkish Ministry of Energy and Natural Resources / President Erdogan"
    )
    third_party = frame.filter(frame["fact_id"] == "TR-REE-19").row(0, named=True)
    assert third_party["value"] == "12500000"
    assert third_party["unit"] == "tonnes REO"
    assert third_party["confidence_note"] == (
        "Unverified third-party figure; no primary source seen; use with caution"
    )
    assert frame.filter(frame["fact_id"] == "TR-REE-04")["confidence_note"].to_list() == [None]
    assert frame["source_row"].to_list() == list(range(2, 22))


def test_a_missing_column_is_named() -> None:
    broken = payload().replace(b"claimant,", b"claimed_by,", 1)
    with pytest.raises(ParseError, match=r"row 1: missing column\(s\) \['claimant'\]"):
        parse_facts(broken, FILE)


def test_from_file_and_offline_use_the_one_dataset() -> None:
    (offline,) = BEYLIKOVA.offline()
    (from_file,) = BEYLIKOVA.from_file(bundled_path("beylikova", FILE))
    assert offline.dataset is from_file.dataset is FACTS_DATASET


def test_a_cell_of_spaces_is_null_like_an_empty_one() -> None:
    header = payload().split(b"\n", 1)[0]
    row = b"TR-REE-99,Beylikova,claim,   ,,2024,x,y,https://example.org, ,n\n"
    frame = parse_facts(header + b"\n" + row, FILE)[FACTS.name]
    assert frame.row(0, named=True)["value"] is None
    assert frame.row(0, named=True)["unit"] is None
    assert frame.row(0, named=True)["source_published"] is None
