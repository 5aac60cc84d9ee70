"""USA Trade Online downloads: the bundled NAICS reports and the files it must refuse."""

from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from ingest.cli import app
from ingest.errors import ParseError
from ingest.settings import Settings
from ingest.sources.base import bundled_path
from ingest.sources.usatradeonline import (
    BUNDLED,
    BUNDLED_FILES,
    TRADE_BY_COMMODITY,
    USATRADEONLINE,
    parse_download,
)
from tests.raw_tables import loads_and_rows

EXPORTS, IMPORTS = BUNDLED_FILES
runner = CliRunner()


@cache
def bundled(name: str) -> pl.DataFrame:
    return parse_download(bundled_path(BUNDLED, name).read_bytes(), name)[TRADE_BY_COMMODITY.name]


def text_of(name: str) -> str:
    return gzip.decompress(bundled_path(BUNDLED, name).read_bytes()).decode("utf-8")


def turkey_all_commodities(frame: pl.DataFrame, period: str) -> int:
    row = frame.filter(
        pl.col("country_name") == "Turkey",
        pl.col("commodity") == "All Commodities",
        pl.col("period") == period,
    )
    return row["value_usd"].item()


def test_both_bundled_reports_parse_with_the_published_turkey_totals() -> None:
    exports, imports = bundled(EXPORTS), bundled(IMPORTS)
    assert (exports.height, imports.height) == (41239, 36303)
    assert turkey_all_commodities(exports, "2025") == 20_399_162_729
    assert turkey_all_commodities(imports, "2025") == 16_412_095_764
    assert exports.select("flow", "valuation", "vintage", "commodity_system").unique().rows() == [
        ("export", "fas", "2026-03-15", "NAICS")
    ]
    assert imports.select("flow", "valuation", "measure").unique().rows() == [
        ("import", "customs", "Customs Value (Gen) ($US)")
    ]


def test_partial_periods_are_flagged_with_their_last_month() -> None:
    periods = (
        bundled(EXPORTS)
        .select("period", "year", "through_month", "is_partial_period")
        .unique()
        .sort("period")
        .rows()
    )
    assert periods[-1] == ("2026 through January", 2026, 1, True)
    assert ("2025", 2025, 12, False) in periods


def test_commodity_labels_split_into_code_and_name_world_total_kept() -> None:
    exports = bundled(EXPORTS)
    transport = exports.filter(pl.col("commodity_code") == "336").row(0, named=True)
    assert transport["commodity_name"] == "Transportation Equipment"
    assert exports.filter(pl.col("commodity") == "All Commodities")["commodity_code"].null_count()
    assert "World Total" in set(exports["country_name"])
    assert set(exports["state"]) == {"All States"}


def replaced(name: str, old: str, new: str) -> bytes:
    text = text_of(name)
    assert old in text
    return text.replace(old, new, 1).encode()


@pytest.mark.parametrize(
    ("name", "old", "new", "message"),
    [
        pytest.param(
            EXPORTS,
            "Measures: Total Exports Value ($US)",
            "Measures: Total Exports Value (Real) ($US)",
            r"exports.csv, Measures: 'Total Exports Value \(Real\) \(\$US\)' is not a measure",
            id="unknown-measure",
        ),
        pytest.param(
            IMPORTS,
            '"State","Commodity","Country","Time"',
            '"State","Commodity","Country","District","Time"',
            "exports.csv, row 4, column 'District': not a column tradewatch knows",
            id="unknown-column",
        ),
        pytest.param(
            EXPORTS,
            'World Total,2021,"1,757,743,725,422"',
            'World Total,2021,"1.757.743.725.422"',
            r"exports.csv, row 6, value: '1.757.743.725.422' is not a whole-dollar amount",
            id="value",
        ),
        pytest.param(
            EXPORTS,
            "World Total,2022,",
            "World Total,2022 Q1,",
            "exports.csv, row 7, Time: '2022 Q1' is not a year",
            id="period",
        ),
        pytest.param(
            EXPORTS,
            "Current date: 03/15/2026",
            "Current date: 2026-03-15",
            "exports.csv, Current date: '2026-03-15 5:00 PM",
            id="date",
        ),
    ],
)
def test_files_it_does_not_understand_are_refused_naming_file_row_and_field(
    name: str, old: str, new: str, message: str
) -> None:
    with pytest.raises(ParseError, match=message):
        parse_download(replaced(name, old, new), "exports.csv")


def test_offline_and_from_file_use_the_one_dataset() -> None:
    offline = list(USATRADEONLINE.offline())
    (from_file,) = USATRADEONLINE.from_file(bundled_path(BUNDLED, EXPORTS))
    assert all(payload.dataset == from_file.dataset for payload in offline)
    assert [p.origin for p in offline] == list(BUNDLED_FILES)


def test_a_malformed_download_exits_1_in_one_line_archived_and_nothing_changes(
    settings: Settings, tmp_path: Path
) -> None:
    good = runner.invoke(app, ["ingest", "usatradeonline"])
    assert good.exit_code == 0, good.output
    before = loads_and_rows(settings, TRADE_BY_COMMODITY.name)
    broken = tmp_path / "State Exports.csv"
    broken.write_bytes(replaced(EXPORTS, "Time,Total Exports", "Period,Total Exports"))

    result = runner.invoke(app, ["ingest", "usatradeonline", "--file", str(broken)])

    assert result.exit_code == 1
    assert "State Exports.csv, row 4, column 'Period'" in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert "Traceback" not in result.output
    loads, rows = loads_and_rows(settings, TRADE_BY_COMMODITY.name)
    assert loads == [*before[0], ("trade_by_commodity", "failed")]
    assert rows == before[1]
    archived = list((settings.landing_dir / "usatradeonline").rglob("*State_Exports.csv"))
    assert [path.read_bytes() for path in archived] == [broken.read_bytes()]
