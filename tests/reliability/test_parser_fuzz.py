"""Every registered parser, fed arbitrary bytes, fails only with ParseError (or a subclass):
never an IndexError, a polars error or a crash. Valid generated input round-trips."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from functools import partial
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.errors import ParseError
from ingest.sources import SOURCES, baci, comtrade
from tests.ingest.sources.test_census_hs import request_for

Parser = Callable[[bytes, str], object]
ORIGINS = {
    "census-hs/turkey_by_hs": request_for("exports_2024-01_HS2.json"),
    "census-hs/rare_earths_by_partner": request_for("imports_2024-01_2846.json"),
    "usgs-mcs/release_salient": "mcs2024-raree_salient.csv",
    "usgs-mcs/release_world": "mcs2024-raree_world.csv",
}


def registered_parsers() -> dict[str, Parser]:
    found: dict[str, Parser] = {}
    for source in SOURCES.values():
        for dataset in source.datasets:
            if dataset.parse is not None:
                found[f"{source.name}/{dataset.name}"] = dataset.parse
    vintage = "fuzz"
    found["comtrade/response"] = partial(comtrade.parse_response, vintage=vintage)
    found["comtrade/api_csv"] = partial(comtrade.parse_api_csv, vintage=vintage)
    found["comtrade/atlas_trimmed"] = partial(comtrade.parse_atlas_trimmed, vintage=vintage)
    return found


PARSERS = registered_parsers()


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as packed:
        for name, content in members.items():
            packed.writestr(name, content)
    return buffer.getvalue()


csv_like = st.lists(
    st.lists(
        st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12), max_size=8
    ),
    max_size=8,
).map(lambda rows: "\n".join(",".join(row) for row in rows).encode())
json_like = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner, max_size=5)
    ),
    max_leaves=20,
).map(lambda value: json.dumps(value).encode())
arbitrary_payloads = st.one_of(
    st.binary(max_size=1024),
    csv_like,
    json_like,
    st.binary(max_size=256).map(lambda tail: b"PK\x03\x04" + tail),
    st.binary(max_size=256).map(lambda body: zip_of({"member.csv": body})),
)


@pytest.mark.parametrize("name", PARSERS)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(payload=arbitrary_payloads)
def test_arbitrary_bytes_raise_only_parse_error(name: str, payload: bytes) -> None:
    try:
        PARSERS[name](payload, ORIGINS.get(name, "fuzz.bin"))
    except ParseError:
        pass


def recorded_sink(calls: list[tuple[str, str]]) -> Callable[..., int]:
    def sink(raw_table: str, select_sql: str, params: object = ()) -> int:
        calls.append((raw_table, select_sql))
        return 0

    return sink


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(payload=arbitrary_payloads, name=st.sampled_from(["BACI_HS22_V202601.zip", "x.csv"]))
def test_baci_release_reading_raises_only_parse_error(
    payload: bytes, name: str, tmp_path: Path
) -> None:
    path = tmp_path / name
    path.write_bytes(payload)
    calls: list[tuple[str, str]] = []
    try:
        dataset = baci._dataset_for(path)
        if dataset is baci.RELEASE:
            baci.stage_release(path, name, recorded_sink(calls), codes=None)
    except ParseError:
        pass


@settings(max_examples=60, deadline=None)
@given(line=st.binary(max_size=200))
def test_baci_year_header_check_raises_only_parse_error(line: bytes) -> None:
    try:
        baci._check_trade_header(line, "release.zip", "BACI_HS22_Y2022_V202601.csv")
    except ParseError:
        pass
