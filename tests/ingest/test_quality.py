from __future__ import annotations

import great_expectations as gx
import polars as pl
import pytest

from ingest.quality import SUITES_DIR, load_suite_definition, validate_frame
from ingest.settings import EXPECTATIONS_DIR
from ingest.sources import SOURCES
from ingest.sources.base import RawTable

RAW_TABLES = [table for source in SOURCES.values() for table in source.tables]


@pytest.mark.parametrize("table", RAW_TABLES, ids=lambda table: table.name)
def test_every_raw_table_has_a_suite_checking_its_exact_columns(table: RawTable) -> None:
    suite = load_suite_definition(table.suite_name)
    column_sets = [
        expectation["kwargs"]["column_set"]
        for expectation in suite["expectations"]
        if expectation["type"] == "expect_table_columns_to_match_set"
    ]
    assert column_sets == [table.schema.names()]


def test_no_suite_without_a_raw_table() -> None:
    suites = {path.stem for path in SUITES_DIR.glob("*.json")}
    assert suites == {table.suite_name for table in RAW_TABLES}


def test_the_committed_file_data_context_opens_every_suite() -> None:
    context = gx.get_context(mode="file", project_root_dir=str(EXPECTATIONS_DIR))
    names = {suite.name for suite in context.suites.all()}
    assert {table.suite_name for table in RAW_TABLES} <= names
    assert context.variables.analytics_enabled is False


def test_a_failing_expectation_reports_column_and_sample() -> None:
    frame = pl.DataFrame(
        {
            "census_code": ["4890", "48"],
            "census_name": ["Turkey", "Nowhere"],
            "iso2": ["TR", "XX"],
            "list_produced": ["27JAN21", "27JAN21"],
            "source_url": ["https://example.test", "https://example.test"],
        }
    )
    report = validate_frame(frame, "raw_reference.census_country_codes")
    assert not report.success
    failures = report.failures()
    assert any(
        "match_regex on census_code" in failure and '"48"' in failure for failure in failures
    )
