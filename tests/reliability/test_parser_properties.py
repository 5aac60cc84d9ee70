"""Property-based tests: parsers fail only with ParseError, and valid input round-trips."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.errors import ParseError
from ingest.sources.census_country import (
    DERIVED_SERIES_URL,
    MONTHLY_FLOWS,
    parse_derived_annual,
    parse_derived_monthly,
    parse_workbook,
)
from ingest.sources.reference import parse_census_codes, parse_countries

PARSERS: list[Callable[[bytes, str], dict[str, pl.DataFrame]]] = [
    parse_workbook,
    parse_derived_monthly,
    parse_derived_annual,
    parse_countries,
    parse_census_codes,
]
HEADER = "year,month,exports_usd_mn,imports_usd_mn,source_url\n"
SOURCE_URL = f"https://{DERIVED_SERIES_URL}/blob/abc/2026.json"

arbitrary_payloads = st.one_of(
    st.binary(max_size=2048),
    st.text(max_size=500).map(str.encode),
    st.binary(max_size=512).map(lambda tail: b"PK\x03\x04" + tail),  # looks like a zip
    st.text(max_size=300).map(lambda body: (HEADER + body).encode()),  # looks like the CSV
)


@settings(max_examples=60, deadline=None)
@given(payload=arbitrary_payloads)
def test_arbitrary_bytes_raise_only_parse_error(payload: bytes) -> None:
    for parse in PARSERS:
        try:
            frames = parse(payload, "fuzz.bin")
        except ParseError:
            continue
        assert all(isinstance(frame, pl.DataFrame) for frame in frames.values())


months = st.tuples(st.integers(1985, 2100), st.integers(1, 12))
values = st.decimals(min_value=0, max_value=999_999, places=1, allow_nan=False)


@settings(max_examples=40, deadline=None)
@given(rows=st.dictionaries(months, st.tuples(values, values), min_size=1, max_size=30))
def test_valid_derived_rows_round_trip_unchanged(rows: dict) -> None:
    body = "".join(
        f"{year},{month},{exports},{imports},{SOURCE_URL}\n"
        for (year, month), (exports, imports) in rows.items()
    )
    frame = parse_derived_monthly((HEADER + body).encode(), "generated.csv")[MONTHLY_FLOWS.name]

    parsed = {
        (row["year"], row["month"], row["flow"]): row["value_musd"] for row in frame.to_dicts()
    }
    for (year, month), (exports, imports) in rows.items():
        assert parsed[(year, month, "export")] == float(exports)
        assert parsed[(year, month, "import")] == float(imports)
    last = max(rows)
    assert frame["vintage"].unique().to_list() == [f"{last[0]}-{last[1]:02d}"]
