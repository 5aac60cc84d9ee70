"""Every registered parser, fed arbitrary bytes, fails only with ParseError (or a subclass):
never an IndexError, a polars error or a crash. Valid generated input round-trips."""

from __future__ import annotations

import contextlib
import io
import json
import zipfile
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.errors import ParseError
from ingest.sources import SOURCES, baci, comtrade
from ingest.sources.census_hs import saved
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
    # saved census-hs answers get their parser per file (dated by its retrieval)
    found["census-hs/country_totals"] = partial(saved.parse_country_totals, vintage=vintage)
    found["census-hs/hs_by_country"] = partial(saved.parse_hs_by_country, vintage=vintage)
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
    with contextlib.suppress(ParseError):
        PARSERS[name](payload, ORIGINS.get(name, "fuzz.bin"))


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
        dataset = baci.dataset_for(path)
        if dataset is baci.RELEASE:
            baci.stage_release(path, name, recorded_sink(calls), codes=None)
    except ParseError:
        pass


@settings(max_examples=60, deadline=None)
@given(line=st.binary(max_size=200))
def test_baci_year_header_check_raises_only_parse_error(line: bytes) -> None:
    with contextlib.suppress(ParseError):
        baci.check_trade_header(line, "release.zip", "BACI_HS22_Y2022_V202601.csv")


# --- valid generated input round-trips with values unchanged ---

EXPORT_HEADER = [
    "CTY_CODE",
    "CTY_NAME",
    "E_COMMODITY",
    "E_COMMODITY_SDESC",
    "E_COMMODITY_LDESC",
    "ALL_VAL_MO",
    "COMM_LVL",
    "time",
]
chapters = st.integers(1, 99).map(lambda chapter: f"{chapter:02d}")
descriptions = (
    st.text(
        alphabet=st.characters(min_codepoint=32, max_codepoint=0x24F, blacklist_characters='"\\'),
        min_size=1,
        max_size=30,
    )
    .map(str.strip)
    .filter(bool)
)


@settings(max_examples=40, deadline=None)
@given(
    rows=st.dictionaries(
        chapters, st.tuples(descriptions, st.integers(0, 10**12)), min_size=1, max_size=20
    )
)
def test_census_hs_rows_round_trip_unchanged(rows: dict[str, tuple[str, int]]) -> None:
    body = [EXPORT_HEADER] + [
        ["4890", "TURKEY", code, text, text, str(value), "HS2", "2024-01"]
        for code, (text, value) in rows.items()
    ]
    (frame,) = PARSERS["census-hs/turkey_by_hs"](
        json.dumps(body).encode(), ORIGINS["census-hs/turkey_by_hs"]
    ).values()

    parsed = {row["commodity"]: row for row in frame.to_dicts()}
    assert parsed.keys() == rows.keys()
    for code, (text, value) in rows.items():
        assert parsed[code]["all_val_mo"] == value
        assert parsed[code]["commodity_sdesc"] == text
        assert (parsed[code]["flow"], parsed[code]["month"]) == ("export", "2024-01")


COMTRADE_RECORD = json.loads(
    Path(__file__)
    .resolve()
    .parents[1]
    .joinpath("fixtures", "comtrade", "comtradr_HS-60a6ad.json")
    .read_bytes()
)["data"][0]
money = st.none() | st.floats(0, 1e13, allow_nan=False).map(lambda value: round(value, 2))


@settings(max_examples=40, deadline=None)
@given(values=st.lists(st.tuples(money, money, money), min_size=1, max_size=15))
def test_comtrade_values_round_trip_unchanged(
    values: list[tuple[float | None, float | None, float | None]],
) -> None:
    data = [
        {
            **COMTRADE_RECORD,
            "partnerCode": 100 + index,
            "cifvalue": cif,
            "fobvalue": fob,
            "primaryValue": primary,
        }
        for index, (cif, fob, primary) in enumerate(values)
    ]
    payload = json.dumps({"count": len(data), "data": data, "error": ""}).encode()
    parsed = comtrade.parse_response(payload, "generated.json", vintage="generated")
    frame = parsed.frames[comtrade.RECORDS.name].sort("partner_code")

    assert frame.height == len(values)
    got = frame.select("cif_value", "fob_value", "primary_value").rows()
    assert got == [tuple(row) for row in values]
    assert frame["partner_code"].to_list() == sorted(str(100 + i) for i in range(len(values)))
