"""Every CSV reader refuses a line (or a quoted record over several lines) longer than
`TRADEWATCH_CSV_MAX_LINE_BYTES`, naming the file and row in a message of a few hundred
characters, without reading the line whole. The issue's case: a 5.3 MB BACI zip whose year
file is one 1 GB line (ratio under the zip limit) cost 8 GB RSS and a 1 GB error message;
here the same shape with a 1 MB line and a 4 KB limit, so the test stays fast."""

from __future__ import annotations

import gzip
import io
import os
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ingest.cli import app
from ingest.csvlimits import check_rows, read_line
from ingest.errors import ParseError
from ingest.settings import BUNDLED_DIR, Settings
from tests.conftest import fixture_path
from tests.ingest.deals_register.cases import copy_register
from tests.ingest.test_loader import ledger, raw_state

LIMIT = 4096
LONG_LINE = os.urandom(512 * 1024).hex().encode()  # 1 MB, incompressible: under the zip ratio
RELEASE = "BACI_HS22_V202601.zip"


@pytest.fixture
def small_limit(inbox: tuple[Settings, Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TRADEWATCH_CSV_MAX_LINE_BYTES", str(LIMIT))
    return inbox[1]


def with_long_row(original: bytes, row: bytes = LONG_LINE) -> bytes:
    """The file with `row` as its second line: a valid header, then the long row."""
    header, rest = original.split(b"\n", 1)
    return header + b"\n" + row + b"\n" + rest


def assert_refused(output: str, name: str, row: int) -> None:
    assert "Traceback" not in output
    text = " ".join(output.split())
    assert f"{name}, row {row}: longer than 4,096 bytes" in text, text[:800]
    assert "TRADEWATCH_CSV_MAX_LINE_BYTES" in text
    assert len(output) < 800  # the message quotes the row's start only


def test_a_release_whose_year_file_is_one_endless_line_is_refused_at_its_header(
    inbox: tuple[Settings, Path], small_limit: Path
) -> None:
    settings = inbox[0]
    country = (BUNDLED_DIR / "baci" / "country_codes_V202601.csv").read_bytes()
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("country_codes_V202601.csv", country)
        archive.writestr("BACI_HS22_Y2022_V202601.csv", LONG_LINE)
    release = small_limit / RELEASE
    release.write_bytes(packed.getvalue())
    before = raw_state(settings.db_path)

    result = CliRunner().invoke(app, ["ingest", "baci", "--file", str(release)])

    assert result.exit_code == 1, result.output[:800]
    assert_refused(result.output, "BACI_HS22_Y2022_V202601.csv", 1)
    assert raw_state(settings.db_path) == before
    assert ledger(settings.db_path)[-1]["status"] == "failed"
    assert not list(small_limit.glob(".baci-*"))


# (source, the file to copy, the name it is given): one per CSV reader
READERS = {
    "reference": ("reference", BUNDLED_DIR / "reference" / "country_codes_iso_m49.csv"),
    "turkstat": ("turkstat", BUNDLED_DIR / "turkstat" / "turkstat_turkey_usa_annual.csv"),
    "beylikova": (
        "beylikova",
        BUNDLED_DIR / "beylikova" / "turkey_beylikova_rare_earth_facts.csv",
    ),
    "census-country-derived": (
        "census-country",
        BUNDLED_DIR / "census_country" / "us_turkey_goods_monthly.csv",
    ),
    "usgs-mcs-release-csv": ("usgs-mcs", BUNDLED_DIR / "usgs_mcs" / "mcs2024-raree_salient.csv"),
    "comtrade-api-csv": (
        "comtrade",
        fixture_path("comtrade", "cmm_data_usa_2846_280530_2020_2024.csv"),
    ),
    "baci-atlas-extract": (
        "baci",
        BUNDLED_DIR / "baci" / "baci_rare_earth_trade_world_and_cn_us_tr.csv",
    ),
}


@pytest.mark.parametrize("reader", READERS)
def test_every_csv_reader_refuses_a_row_past_the_limit(
    reader: str, inbox: tuple[Settings, Path], small_limit: Path
) -> None:
    settings = inbox[0]
    source, original = READERS[reader]
    path = small_limit / original.name
    path.write_bytes(with_long_row(original.read_bytes()))
    before = raw_state(settings.db_path)

    result = CliRunner().invoke(app, ["ingest", source, "--file", str(path)])

    assert result.exit_code == 1, result.output[:800]
    assert "longer than 4,096 bytes" in result.output and len(result.output) < 800
    assert "Traceback" not in result.output
    assert raw_state(settings.db_path) == before
    assert ledger(settings.db_path)[-1]["status"] == "failed"


def test_a_year_file_read_by_duckdb_has_the_same_bound(
    inbox: tuple[Settings, Path], small_limit: Path
) -> None:
    settings = inbox[0]
    year_file = small_limit / "BACI_HS22_Y2022_V202601.csv"
    year_file.write_bytes(b"t,i,j,k,v,q\n2022,4,8,280530,1.5,2\n2022,4," + LONG_LINE + b",1,1\n")
    before = raw_state(settings.db_path)

    result = CliRunner().invoke(app, ["ingest", "baci", "--file", str(year_file)])

    assert result.exit_code == 1, result.output[:800]
    assert_refused(result.output, year_file.name, 3)
    assert raw_state(settings.db_path) == before


def test_a_deals_register_row_past_the_limit_is_a_problem_in_one_line(
    tmp_path: Path, small_limit: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = copy_register(tmp_path / "deals")
    deals = folder / "deals.csv"
    deals.write_bytes(with_long_row(deals.read_bytes()))
    monkeypatch.setenv("TRADEWATCH_DEALS_DIR", str(folder))

    result = CliRunner().invoke(app, ["deals", "validate"])

    assert result.exit_code == 1, result.output[:800]
    assert "deals.csv" in result.output and "row 2: longer than 4,096 bytes" in result.output
    assert max(len(line) for line in result.output.splitlines()) < 500


def test_a_quoted_field_over_many_short_lines_is_bounded_too() -> None:
    field = b'"' + b"\n".join([b"short line"] * 1000) + b'"'
    with pytest.raises(ParseError, match=r"x.csv, row 2: longer than 4,096 bytes"):
        check_rows(b"a,b\n1," + field + b"\n", "x.csv", LIMIT)
    check_rows(b"a,b\n" + b'1,"ok ""quoted"" text"\n' * 2000, "x.csv", LIMIT)  # many rows: fine


def test_a_header_is_read_no_further_than_the_limit() -> None:
    endless = io.BytesIO(LONG_LINE)
    with pytest.raises(ParseError, match="row 1"):
        read_line(endless, "x.csv", limit=LIMIT)
    assert endless.tell() == LIMIT + 1


GZIPPED_READERS = {
    "usatradeonline": (
        ["usatradeonline"],
        BUNDLED_DIR / "usatradeonline" / "state_exports_by_naics_commodities_2026-03-15.csv.gz",
    ),
    "census-hs-saved-csv": (
        ["census-hs", "--vintage", "2025-10-18"],
        BUNDLED_DIR / "census_hs" / "exports_hs_by_country_monthly_2013-2024.csv.gz",
    ),
}


@pytest.mark.parametrize("reader", GZIPPED_READERS)
def test_the_saved_download_readers_refuse_a_row_past_the_limit(
    reader: str, inbox: tuple[Settings, Path], small_limit: Path
) -> None:
    settings = inbox[0]
    command, original = GZIPPED_READERS[reader]
    path = small_limit / original.name.removesuffix(".gz")
    path.write_bytes(with_long_row(gzip.decompress(original.read_bytes())))
    before = raw_state(settings.db_path)

    result = CliRunner().invoke(app, ["ingest", *command, "--file", str(path)])

    assert result.exit_code == 1, result.output[:800]
    assert "longer than 4,096 bytes" in result.output and len(result.output) < 800
    assert "Traceback" not in result.output
    assert raw_state(settings.db_path) == before
    assert ledger(settings.db_path)[-1]["status"] == "failed"
