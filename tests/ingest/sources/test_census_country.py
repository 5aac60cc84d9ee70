from __future__ import annotations

import gzip
import io
import zipfile
from collections.abc import Callable
from functools import cache

import httpx
import polars as pl
import pytest

from ingest import pipeline
from ingest.errors import ParseError
from ingest.settings import Settings
from ingest.sources.base import bundled_path
from ingest.sources.census_country import (
    ANNUAL_TOTALS,
    BUNDLED,
    BUNDLED_DERIVED_ANNUAL,
    BUNDLED_DERIVED_MONTHLY,
    BUNDLED_WORKBOOK_CSV,
    CENSUS_COUNTRY,
    MONTHLY_FLOWS,
    parse_derived_annual,
    parse_derived_monthly,
    parse_workbook,
    parse_workbook_csv,
)

WORKBOOK_2024_06 = "country_xlsx_2024-06.xlsx"


@cache
def workbook(name: str) -> dict[str, pl.DataFrame]:
    return parse_workbook(bundled_path(BUNDLED, name).read_bytes(), name)


def turkey_month(frames: dict[str, pl.DataFrame], year: int, month: int, flow: str) -> float:
    row = frames[MONTHLY_FLOWS.name].filter(
        pl.col("census_code") == "4890",
        pl.col("year") == year,
        pl.col("month") == month,
        pl.col("flow") == flow,
    )
    return row["value_musd"].item()


def turkey_year(frames: dict[str, pl.DataFrame], year: int, flow: str) -> float:
    row = frames[ANNUAL_TOTALS.name].filter(
        pl.col("census_code") == "4890", pl.col("year") == year, pl.col("flow") == flow
    )
    return row["value_musd"].item()


@pytest.mark.parametrize(
    ("name", "vintage", "year", "imports_jan", "exports_jan"),
    [
        pytest.param(
            "country_xlsx_2018-08.xlsx", "2018-08", 2018, 854.491608, 822.706664, id="2018-08"
        ),
        pytest.param(
            "country_xlsx_2019-10.xlsx", "2019-10", 2019, 946.479622, 621.817556, id="2019-10"
        ),
        pytest.param(
            "country_xlsx_2022-01_resaved-by-third-party.xlsx",
            "2022-01",
            2022,
            1248.497098,
            1472.797827,
            id="2022-01-resaved",
        ),
        pytest.param(
            "country_xlsx_2023-01.xlsx", "2023-01", 2023, 1385.661957, 1150.960078, id="2023-01"
        ),
        pytest.param(WORKBOOK_2024_06, "2024-06", 2024, 1393.137201, 1304.341443, id="2024-06"),
    ],
)
def test_every_bundled_vintage_parses_with_known_values(
    name: str, vintage: str, year: int, imports_jan: float, exports_jan: float
) -> None:
    frames = workbook(name)
    assert frames[MONTHLY_FLOWS.name]["vintage"].unique().to_list() == [vintage]
    assert turkey_month(frames, year, 1, "import") == imports_jan
    assert turkey_month(frames, year, 1, "export") == exports_jan


def test_unpublished_months_are_dropped_not_loaded_as_zero() -> None:
    monthly = workbook(WORKBOOK_2024_06)[MONTHLY_FLOWS.name]
    last = monthly.select(pl.max_horizontal(pl.col("year") * 100 + pl.col("month")).max()).item()
    assert last == 202406
    assert monthly.filter(pl.col("year") == 2024, pl.col("month") > 6).height == 0


def test_the_current_year_annual_column_is_year_to_date() -> None:
    frames = workbook(WORKBOOK_2024_06)
    # census/PROVENANCE.md: 2024 H1 in the 2024-07 workbook, exports / imports 7,524.2 / 8,379.9
    assert turkey_year(frames, 2024, "export") == 7524.214863
    assert turkey_year(frames, 2024, "import") == 8379.862017


def test_full_years_match_the_published_annual_columns() -> None:
    frames = workbook(WORKBOOK_2024_06)
    # census/PROVENANCE.md: 2021 exports / imports 11,927.4 / 15,866.7 ($ million, rounded)
    assert round(turkey_year(frames, 2021, "export"), 1) == 11927.4
    assert round(turkey_year(frames, 2021, "import"), 1) == 15866.7


def test_cells_are_read_as_excel_displays_them() -> None:
    # the 2003-09 import cell holds the binary float 344.38165300000003; read at Excel's
    # 15 significant digits it is the published 344.381653
    assert turkey_month(workbook(WORKBOOK_2024_06), 2003, 9, "import") == 344.381653


def test_empty_year_spacer_rows_of_the_2018_workbook_are_dropped() -> None:
    monthly = workbook("country_xlsx_2018-08.xlsx")[MONTHLY_FLOWS.name]
    assert monthly["year"].null_count() == 0
    assert monthly.filter(pl.col("year") == 1985, pl.col("census_code") == "4890").height == 24


def test_codes_stay_text_with_leading_zeros_and_groupings_are_kept() -> None:
    codes = set(workbook("country_xlsx_2018-08.xlsx")[MONTHLY_FLOWS.name]["census_code"].unique())
    assert {"0001", "0003", "0015", "4890", "5700"} <= codes


def test_no_duplicate_keys() -> None:
    monthly = workbook("country_xlsx_2019-10.xlsx")[MONTHLY_FLOWS.name]
    keys = ["vintage", "year", "month", "census_code", "flow"]
    assert monthly.select(keys).is_duplicated().sum() == 0


def test_derived_monthly_series_is_turkey_2022_to_2026_08_rounded() -> None:
    payload = bundled_path(BUNDLED, BUNDLED_DERIVED_MONTHLY).read_bytes()
    monthly = parse_derived_monthly(payload, BUNDLED_DERIVED_MONTHLY)[MONTHLY_FLOWS.name]
    assert monthly.height == 56 * 2
    assert monthly["vintage"].unique().to_list() == ["2026-08"]
    assert monthly["is_rounded"].all()
    assert turkey_month({MONTHLY_FLOWS.name: monthly}, 2022, 1, "export") == 1433.5
    assert turkey_month({MONTHLY_FLOWS.name: monthly}, 2022, 1, "import") == 1247.2


def test_derived_annual_series_reads_its_vintage_from_the_partial_year_note() -> None:
    payload = bundled_path(BUNDLED, BUNDLED_DERIVED_ANNUAL).read_bytes()
    annual = parse_derived_annual(payload, BUNDLED_DERIVED_ANNUAL)[ANNUAL_TOTALS.name]
    assert annual["vintage"].unique().to_list() == ["2026-08"]
    assert annual["year"].min() == 2022
    frames = {ANNUAL_TOTALS.name: annual}
    assert turkey_year(frames, 2025, "export") == 20355.4
    assert turkey_year(frames, 2025, "import") == 16419.5


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: data[: len(data) // 2], id="truncated"),
        pytest.param(lambda data: b"PK\x03\x04" + b"\x00" * 200, id="corrupt-zip"),
        pytest.param(lambda data: b"<html>Service Unavailable</html>", id="html-page"),
    ],
)
def test_damaged_workbooks_raise_a_parse_error_naming_the_file(
    damage: Callable[[bytes], bytes],
) -> None:
    payload = damage(bundled_path(BUNDLED, WORKBOOK_2024_06).read_bytes())
    with pytest.raises(ParseError, match=r"country\.xlsx"):
        parse_workbook(payload, "country.xlsx")


def test_a_workbook_with_a_renamed_column_names_it() -> None:
    payload = rewrite_sheet(
        bundled_path(BUNDLED, WORKBOOK_2024_06).read_bytes(), b"CTYNAME", b"COUNTRY"
    )
    with pytest.raises(ParseError, match=r"country.xlsx, sheet 'country', row 1.*COUNTRY"):
        parse_workbook(payload, "country.xlsx")


def test_a_non_numeric_value_names_sheet_row_and_column() -> None:
    original = bundled_path(BUNDLED, "country_xlsx_2023-01.xlsx").read_bytes()
    cell = b'<c r="D2"><v>11644.9</v></c>'
    payload = rewrite_sheet(original, cell, b'<c r="D2" t="inlineStr"><is><t>n/a</t></is></c>')
    assert payload != original, "cell D2 of the 2023-01 workbook moved; update the test"
    with pytest.raises(ParseError, match=r"sheet 'country', row 2, column IJAN"):
        parse_workbook(payload, "country.xlsx")


def rewrite_sheet(payload: bytes, old: bytes, new: bytes) -> bytes:
    """The same workbook with one piece of sheet or shared-string XML replaced."""
    source = zipfile.ZipFile(io.BytesIO(payload))
    target_bytes = io.BytesIO()
    with zipfile.ZipFile(target_bytes, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/") and old in data:
                data = data.replace(old, new, 1)
            target.writestr(item, data)
    return target_bytes.getvalue()


def test_live_path_serves_real_workbook_bytes_through_the_shared_client(
    settings: Settings,
) -> None:
    payload = bundled_path(BUNDLED, WORKBOOK_2024_06).read_bytes()
    requested: list[str] = []

    def census(request: httpx.Request) -> httpx.Response:
        requested.append(str(request.url))
        return httpx.Response(200, content=payload)

    results = pipeline.ingest_source(
        "census-country", settings, live=True, transport=httpx.MockTransport(census)
    )
    assert requested == [settings.census_balance_url]
    assert [(r.status, r.vintage) for r in results] == [("ok", "2024-06")]
    assert results[0].rows == 206424 + 17450


def test_columns_are_read_by_header_so_a_new_column_order_keeps_every_value() -> None:
    original = bundled_path(BUNDLED, "country_xlsx_2023-01.xlsx").read_bytes()
    # swap the IJAN and EJAN header labels: the same cells now sit under the other heading
    swapped = rewrite_sheet(original, b"<t>IJAN</t>", b"<t>TEMP</t>")
    swapped = rewrite_sheet(swapped, b"<t>EJAN</t>", b"<t>IJAN</t>")
    swapped = rewrite_sheet(swapped, b"<t>TEMP</t>", b"<t>EJAN</t>")
    assert swapped != original, "the header strings moved; update the test"

    before = parse_workbook(original, "country.xlsx")
    after = parse_workbook(swapped, "country.xlsx")

    assert turkey_month(after, 2022, 1, "import") == turkey_month(before, 2022, 1, "export")
    assert turkey_month(after, 2022, 1, "export") == turkey_month(before, 2022, 1, "import")
    assert turkey_month(after, 2022, 2, "import") == turkey_month(before, 2022, 2, "import")


def test_the_2012_csv_export_of_the_workbook_is_its_own_vintage_with_published_values() -> None:
    name = BUNDLED_WORKBOOK_CSV
    frames = parse_workbook_csv(bundled_path(BUNDLED, name).read_bytes(), name)
    monthly, annual = frames[MONTHLY_FLOWS.name], frames[ANNUAL_TOTALS.name]
    assert monthly["vintage"].unique().to_list() == ["2011-12"]
    assert (monthly["year"].min(), monthly["year"].max()) == (1985, 2011)
    assert turkey_month(frames, 2011, 1, "import") == 488.146764
    assert turkey_month(frames, 1985, 1, "import") == 44.2
    assert turkey_year(frames, 2011, "import") == 5219.840135
    assert turkey_year(frames, 2011, "export") == 14631.841316
    assert annual.height == monthly.height // 12
    (payload,) = CENSUS_COUNTRY.from_file(bundled_path(BUNDLED, name))
    assert payload.dataset.name == "workbook_csv"


def test_a_csv_export_with_a_bad_cell_names_file_row_and_column() -> None:
    text = gzip.decompress(bundled_path(BUNDLED, BUNDLED_WORKBOOK_CSV).read_bytes()).decode()
    broken = text.replace("2011,4890,Turkey,488.146764", "2011,4890,Turkey,n/a", 1).encode()
    with pytest.raises(
        ParseError, match=r"table1.csv, row \d+, column IJAN: 'n/a' is not a number"
    ):
        parse_workbook_csv(broken, "table1.csv")
