"""`tradewatch query` output: numbers never cut, JSON numbers stay numbers, and an empty
mart that a never-loaded source fills says which source and command fill it."""

from __future__ import annotations

import io
import json
import re
from datetime import date
from decimal import Decimal

import polars as pl
import pytest
from typer.testing import CliRunner

from ingest.cli import app
from ingest.query_output import print_table, to_json
from ingest.settings import Settings
from tests.warehouse_copies import settings_env

runner = CliRunner()
BIG = 123456789012345678  # wider than any sensible column
WIDE = pl.DataFrame(
    {
        "as_of_month": [date(2026, 8, 1)],
        "total_trade_t12m_usd": [42644900000],
        "announced_deal_value_usd": [BIG],
        "pct_of_goal": [42.6449],
        "partner_name": ["United Arab Emirates and a long description that must fold"],
    }
)


def _printed(frame: pl.DataFrame, monkeypatch: pytest.MonkeyPatch, columns: str | None) -> str:
    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    stream = io.StringIO()  # not a terminal, like a pipe
    print_table(frame, stream)
    return stream.getvalue()


def _assert_whole_numbers(text: str, *, big: bool = True) -> None:
    for number in ("2026-08-01", "42644900000", "42.6449", *([str(BIG)] if big else [])):
        assert number in text
    assert "…" not in text


def test_a_narrow_terminal_keeps_every_number_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    text = _printed(WIDE, monkeypatch, "60")
    _assert_whole_numbers(text)
    assert max(len(line) for line in text.splitlines()) <= 60
    assert "─[ row 1 ]" in text  # the numbers alone are wider than 60: one record per row
    assert re.search(r"^announced_deal_value_usd +│ 123456789012345678$", text, re.M)


def test_a_row_slightly_too_wide_folds_headers_and_text_not_numbers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = _printed(WIDE.drop("announced_deal_value_usd"), monkeypatch, "80")
    _assert_whole_numbers(text, big=False)
    assert "┃" in text  # still a table
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "total_trade_t12m_usd" not in text  # the header folded over two lines
    assert "United Arab Emirates" in text


def test_an_empty_result_too_wide_for_the_terminal_names_its_columns(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = _printed(WIDE.clear(), monkeypatch, "40")
    assert text == (
        "(0 rows; columns: as_of_month, total_trade_t12m_usd, announced_deal_value_usd, "
        "pct_of_goal, partner_name)\n"
    )


def test_piped_output_is_never_limited_to_80_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    text = _printed(WIDE, monkeypatch, None)
    _assert_whole_numbers(text)
    lines = text.splitlines()
    assert len(lines) == 5  # header, two rules, one row, bottom: nothing wrapped
    assert len(lines[3]) > 120
    assert "United Arab Emirates and a long description that must fold" in lines[3]


def test_json_keeps_numbers_as_numbers_and_dates_as_iso_strings() -> None:
    frame = pl.DataFrame(
        {
            "year": [2025, None],
            "value_usd": [Decimal("36774900000"), Decimal("12.50")],
            "pct": [42.6449, float("nan")],
            "month_date": [date(2025, 1, 1), date(2025, 2, 1)],
            "is_complete_year": [True, False],
            "name": ['Cote "d"', None],
        },
        schema_overrides={"value_usd": pl.Decimal(38, 2)},
    )
    rows = json.loads(to_json(frame), parse_float=Decimal)
    assert rows == [
        {
            "year": 2025,
            "value_usd": Decimal("36774900000.00"),
            "pct": Decimal("42.6449"),
            "month_date": "2025-01-01",
            "is_complete_year": True,
            "name": 'Cote "d"',
        },
        {
            "year": None,
            "value_usd": Decimal("12.50"),
            "pct": None,
            "month_date": "2025-02-01",
            "is_complete_year": False,
            "name": None,
        },
    ]


def test_json_from_the_warehouse_has_numeric_amounts(built_warehouse: Settings) -> None:
    sql = (
        "select year, total_trade_usd, sum(total_trade_usd) over () as all_years_usd, "
        "pct_of_goal from marts.us_turkey_trade_annual where year = 2023"
    )
    result = runner.invoke(
        app, ["query", sql, "--format", "json"], env=settings_env(built_warehouse)
    )
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.stdout)
    assert row["year"] == 2023
    assert row["total_trade_usd"] == 29981300000
    assert isinstance(row["all_years_usd"], int)  # a HUGEINT/DECIMAL sum, not a string
    assert isinstance(row["pct_of_goal"], float)


@pytest.mark.parametrize("columns", ["60", "200"])
def test_the_query_command_prints_whole_numbers_at_any_width(
    built_warehouse: Settings, columns: str
) -> None:
    env = settings_env(built_warehouse) | {"COLUMNS": columns}
    sql = "select * from marts.trade_goal_progress order by as_of_month desc limit 2"
    result = runner.invoke(app, ["query", sql], env=env)
    assert result.exit_code == 0, result.output
    assert "42644900000" in result.stdout and "42453400000" in result.stdout
    assert "…" not in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) <= int(columns)


@pytest.mark.parametrize(
    ("sql", "sources", "commands"),
    [
        (
            "select * from marts.rare_earth_trade_flows where source = 'comtrade'",
            ["comtrade"],
            ["`tradewatch ingest comtrade --live`, then `tradewatch transform`"],
        ),
    ],
)
def test_an_empty_live_only_mart_names_its_source_and_command(
    built_warehouse: Settings, sql: str, sources: list[str], commands: list[str]
) -> None:
    result = runner.invoke(app, ["query", sql], env=settings_env(built_warehouse))
    assert result.exit_code == 0, result.output
    (hint,) = result.stderr.splitlines()  # one line
    assert hint.startswith("hint: 0 rows; marts.")
    for expected in sources + commands:
        assert expected in hint


@pytest.mark.parametrize(
    "sql",
    [
        "select * from marts.countries where false",  # every upstream source loaded
        "select * from marts.rare_earth_trade_flows limit 1",  # rows: no hint
    ],
)
def test_no_hint_when_rows_come_back_or_every_source_is_loaded(
    built_warehouse: Settings, sql: str
) -> None:
    result = runner.invoke(app, ["query", sql], env=settings_env(built_warehouse))
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
