"""TurkStat press figures: every row kept as quoted and flagged secondary."""

from __future__ import annotations

import polars as pl
import pytest

from ingest.errors import ParseError
from ingest.sources import turkstat
from ingest.sources.base import bundled_path


def test_press_figures_are_kept_as_quoted_and_flagged_secondary() -> None:
    payload = bundled_path("turkstat", turkstat.BUNDLED_FILE).read_bytes()
    frame = turkstat.parse_press_figures(payload, "x.csv")[turkstat.TURKEY_USA_ANNUAL.name]
    assert frame["year"].to_list() == [2013, 2018, 2019, 2021, 2022, 2024]
    row_2022 = frame.filter(pl.col("year") == 2022).row(0, named=True)
    assert (
        row_2022["turkey_exports_to_usa_usd_mn"],
        row_2022["turkey_imports_from_usa_usd_mn"],
    ) == (16900.0, 15200.0)
    assert frame.filter(pl.col("year") == 2024)["turkey_imports_from_usa_usd_mn"].to_list() == [
        None
    ]  # not published: null, never 0
    assert frame["is_secondary"].all()


def test_a_non_number_is_named_with_its_row() -> None:
    payload = (
        b"year,turkey_exports_to_usa_usd_mn,turkey_imports_from_usa_usd_mn,source_url,"
        b"note\n2022,16.9 bn,15200,https://example.org,n\n"
    )
    with pytest.raises(ParseError, match=r"row 2, turkey_exports_to_usa_usd_mn: '16.9 bn'"):
        turkstat.parse_press_figures(payload, "x.csv")
