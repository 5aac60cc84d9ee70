"""`tradewatch status`: every source (never-loaded ones too), each dataset's newest good load
with a newer attempt beside it, skips as skips, data freshness against the publisher's
calendar, and exit 1 when something is stale or failed."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from typer.testing import CliRunner

from ingest import ledger, warehouse
from ingest.cli import app
from ingest.release_calendar import CALENDARS, DataFreshness
from ingest.settings import Settings
from ingest.sources import SOURCES
from ingest.status_view import read_status

runner = CliRunner()
T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def _record(
    source: str, dataset: str, status: str, minutes: int, **extra: object
) -> ledger.LoadRecord:
    values = {
        "vintage": None,
        "row_count": None,
        "error": None,
        **extra,
    }
    return ledger.LoadRecord(
        load_id=f"{source}-{dataset}-{minutes}",
        source=source,
        dataset=dataset,
        raw_tables="",
        vintage=values["vintage"],
        chunk=None,
        origin="test",
        payload_sha256=None,
        payload_path=None,
        payload_bytes=None,
        row_count=values["row_count"],
        started_at=T0 + timedelta(minutes=minutes),
        finished_at=T0 + timedelta(minutes=minutes),
        status=status,
        error=values["error"],
        expectations_passed=None,
        expectations_failed=None,
    )


def _ledger(settings: Settings, records: list[ledger.LoadRecord], latest: date) -> None:
    for record in records:
        ledger.record_outcome(settings.db_path, record, [])
    with warehouse.connect(settings.db_path) as con:
        con.execute("create schema raw_census_country")
        con.execute("create table raw_census_country.monthly_flows (year int, month int)")
        con.execute(
            "insert into raw_census_country.monthly_flows values (?, ?)",
            [latest.year, latest.month],
        )


FIVE_VINTAGES_THEN_A_FAILED_FILE = [
    *(
        _record("census-country", "workbook", "ok", minute, vintage=f"202{minute}-06", row_count=10)
        for minute in range(5)
    ),
    _record("census-country", "workbook", "failed", 10, error="country.xlsx: row 7: no [month]"),
    _record("reference", "countries", "ok", 0, row_count=249),
    _record("reference", "countries", "skipped", 20, error="payload already loaded"),
]


def test_the_month_expected_by_a_date_follows_the_ft900_lag() -> None:
    census = CALENDARS["census-country"]  # 35 days plus a week's grace
    assert census.expected_latest(date(2026, 12, 5)) == date(2026, 9, 1)
    assert census.expected_latest(date(2026, 12, 12)) == date(2026, 10, 1)  # Oct 31 + 42 d
    assert census.expected_latest(date(2026, 12, 11)) == date(2026, 9, 1)
    mcs = CALENDARS["usgs-mcs"]  # each January, for the year just ended
    assert mcs.expected_latest(date(2026, 1, 15)) == date(2024, 1, 1)
    assert mcs.expected_latest(date(2026, 3, 1)) == date(2025, 1, 1)


def test_stale_counts_the_periods_behind() -> None:
    census = CALENDARS["census-country"]
    row = DataFreshness("census-country", date(2026, 8, 1), date(2026, 10, 1), census)
    assert (row.is_stale, row.periods_behind) == (True, 2)
    current = DataFreshness("census-country", date(2026, 10, 1), date(2026, 10, 1), census)
    assert (current.is_stale, current.periods_behind) == (False, 0)
    empty = DataFreshness("census-country", None, date(2026, 10, 1), census)
    assert not empty.is_stale


def test_a_failed_file_sits_beside_the_newest_good_load(settings: Settings) -> None:
    _ledger(settings, FIVE_VINTAGES_THEN_A_FAILED_FILE, date(2026, 9, 1))
    with warehouse.connect(settings.db_path, read_only=True) as con:
        report = read_status(con, date(2026, 12, 5))
    rows = {(row.source, row.dataset): row for row in report.datasets}
    workbook = rows["census-country", "workbook"]
    assert (workbook.vintage, workbook.good_loads, workbook.last_status) == ("2024-06", 5, "failed")
    assert workbook.good_at == T0 + timedelta(minutes=4)
    skipped = rows["reference", "countries"]
    assert (skipped.last_status, skipped.last_note, skipped.has_newer_failure) == (
        "skipped",
        "payload already loaded",
        False,
    )
    assert report.never_loaded == [
        name for name in SOURCES if name not in ("census-country", "reference")
    ]
    assert report.problems == ["census-country/workbook failed"]


def _status(settings: Settings) -> tuple[int, str]:
    result = runner.invoke(app, ["status", "--no-freshness"], env={"COLUMNS": "250"})
    return result.exit_code, result.output


def test_status_lists_every_source_and_exits_1_on_a_failure(settings: Settings) -> None:
    today = datetime.now(UTC).date()
    _ledger(
        settings,
        FIVE_VINTAGES_THEN_A_FAILED_FILE,
        CALENDARS["census-country"].expected_latest(today),
    )
    code, output = _status(settings)
    assert code == 1, output
    for name in SOURCES:
        assert re.search(rf"^│ {re.escape(name)} +│", output, re.M), name
    assert re.search(
        r"^│ comtrade +│ +│ not loaded +│.*`tradewatch ingest comtrade --live`", output, re.M
    )
    workbook = next(line for line in output.splitlines() if "│ workbook" in line)
    assert "2024-06" in workbook and "2026-11-01 12:04" in workbook  # the newest good load
    assert "failed 2026-11-01 12:10: country.xlsx: row 7: no [month]" in workbook  # beside it
    countries = next(line for line in output.splitlines() if "│ countries" in line)
    assert "skipped 2026-11-01 12:20: payload already loaded" in countries
    assert "error" not in output.lower().split("status:")[0]  # no error column for a skip
    assert "census-country │ " in output and "current" in output
    assert output.rstrip().endswith("status: census-country/workbook failed")


def test_status_exits_1_when_the_data_is_older_than_the_calendar(settings: Settings) -> None:
    today = datetime.now(UTC).date()
    expected = CALENDARS["census-country"].expected_latest(today)
    two_behind = (expected.replace(day=1) - timedelta(days=40)).replace(day=1)
    good = [_record("census-country", "workbook", "ok", 0, vintage="v", row_count=1)]
    _ledger(settings, good, two_behind)
    code, output = _status(settings)
    assert code == 1, output
    assert re.search(
        rf"census-country +│ {two_behind:%Y-%m} +│ {expected:%Y-%m} .*stale: 2 months behind",
        output,
    )
    assert "status: census-country data is stale" in output


def test_status_exits_0_when_every_load_is_good_and_current(settings: Settings) -> None:
    today = datetime.now(UTC).date()
    good = [_record("census-country", "workbook", "ok", 0, vintage="v", row_count=1)]
    _ledger(settings, good, CALENDARS["census-country"].expected_latest(today))
    code, output = _status(settings)
    assert code == 0, output
    assert "not loaded" in output  # sources never loaded are listed, and are not a failure
    assert "status:" not in output


def test_status_help_documents_the_exit_codes() -> None:
    result = runner.invoke(app, ["status", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "0 everything current" in text
    assert "1 a dataset's newest attempt failed or a source's data (or load) is stale" in text


@pytest.mark.parametrize("source", sorted(CALENDARS))
def test_every_calendar_query_runs_on_the_built_warehouse(
    built_warehouse: Settings, source: str
) -> None:
    with warehouse.connect(
        built_warehouse.published_dir / "tradewatch.duckdb", read_only=True
    ) as con:
        if source in ("census-hs",):  # live only: its raw table holds no rows offline
            assert con.execute(CALENDARS[source].latest_sql).fetchone() == (None,)
            return
        (latest,) = con.execute(CALENDARS[source].latest_sql).fetchone()
    assert isinstance(latest, date) and latest.year >= 2023
