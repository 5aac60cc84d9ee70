"""reference: the rare-earth HS6 basket, read by ingest.basket and loaded for dbt."""

from __future__ import annotations

import polars as pl
import pytest

from ingest.basket import BASKET_FILE, basket_codes, read_basket
from ingest.errors import ParseError
from ingest.sources.reference import (
    RARE_EARTH_BASKET,
    RARE_EARTH_BASKET_DATASET,
    REFERENCE,
    parse_rare_earth_basket,
)

HEADER = (
    "hs6,hs6_description_hs2022,stage,mart_group,tier,specificity,in_stage_total,"
    "scope_note,who_uses_it,source_url,description_source_url"
)


def test_the_raw_table_holds_the_codes_ingest_keeps() -> None:
    frame = parse_rare_earth_basket(BASKET_FILE.read_bytes(), BASKET_FILE.name)[
        RARE_EARTH_BASKET.name
    ]
    assert frame.schema == RARE_EARTH_BASKET.schema
    assert tuple(sorted(frame["hs6"].to_list())) == basket_codes()
    counted = frame.filter(pl.col("in_stage_total"))["hs6"].sort().to_list()
    assert counted == ["261220", "280530", "284610", "284690", "850511"]


def test_the_bundled_file_is_loaded_offline_and_recognised_from_a_file() -> None:
    offline = [payload.dataset for payload in REFERENCE.offline()]
    assert RARE_EARTH_BASKET_DATASET in offline
    (from_file,) = REFERENCE.from_file(BASKET_FILE)
    assert from_file.dataset is RARE_EARTH_BASKET_DATASET


def test_an_empty_cell_is_null_and_codes_keep_their_zeros() -> None:
    payload = f"{HEADER}\n030110,,other,candidates,t,mixed,false,,,,\n".encode()
    ((code, description, *_, flag, note, users, url, description_url),) = read_basket(
        payload, "basket.csv"
    )
    assert (code, description, note, users, url, description_url) == ("030110", *[None] * 5)
    assert flag is False


def test_a_flag_that_is_not_true_or_false_names_the_row_and_field() -> None:
    payload = f"{HEADER}\n280530,x,metal,re_core,core,re_specific,yes,,,,\n".encode()
    with pytest.raises(ParseError, match=r"basket.csv, row 2, in_stage_total: 'yes'"):
        read_basket(payload, "basket.csv")


def test_a_different_header_names_the_file() -> None:
    with pytest.raises(ParseError, match=r"^basket.csv: columns \['hs_code'"):
        read_basket(b"hs_code,stage\n280530,metal\n", "basket.csv")


def test_bytes_that_are_not_utf8_name_the_file() -> None:
    with pytest.raises(ParseError, match=r"^basket.csv: not a UTF-8 CSV"):
        read_basket(HEADER.encode() + b"\n\xff\xfe,x\n", "basket.csv")
