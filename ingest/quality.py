"""Great Expectations: one suite per raw table, run on the frame before it is published.

The suites are committed JSON in the File Data Context under `expectations/gx/`. Here they are
loaded into an ephemeral context, so validating never writes to the repository.
"""

from __future__ import annotations

import json
import logging
import os
import warnings
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl

from ingest.settings import EXPECTATIONS_DIR

SUITES_DIR = EXPECTATIONS_DIR / "gx" / "expectations"


@dataclass(frozen=True)
class ExpectationOutcome:
    raw_table: str
    expectation_type: str
    column_name: str | None
    kwargs: str  # JSON
    success: bool
    element_count: int | None
    unexpected_count: int | None
    unexpected_sample: str | None  # JSON list of a few offending values
    observed_value: str | None

    def describe(self) -> str:
        where = f" on {self.column_name}" if self.column_name else ""
        detail = (
            f" ({self.unexpected_count} rows, e.g. {self.unexpected_sample})"
            if self.unexpected_count
            else f" (observed {self.observed_value})"
            if self.observed_value
            else ""
        )
        return f"{self.expectation_type}{where}{detail}"


@dataclass(frozen=True)
class QualityReport:
    raw_table: str
    outcomes: tuple[ExpectationOutcome, ...]

    @property
    def success(self) -> bool:
        return all(outcome.success for outcome in self.outcomes)

    @property
    def passed(self) -> int:
        return sum(outcome.success for outcome in self.outcomes)

    @property
    def failed(self) -> int:
        return len(self.outcomes) - self.passed

    def failures(self) -> list[str]:
        return [outcome.describe() for outcome in self.outcomes if not outcome.success]


def suite_path(suite_name: str) -> Path:
    return SUITES_DIR / f"{suite_name}.json"


def load_suite_definition(suite_name: str) -> dict[str, Any]:
    path = suite_path(suite_name)
    if not path.exists():
        raise FileNotFoundError(f"no expectation suite for {suite_name}: {path} is missing")
    return json.loads(path.read_text())


def validate_frame(frame: pl.DataFrame, raw_table: str) -> QualityReport:
    suite_name = raw_table.replace(".", "__")
    definition = _validation_definition(suite_name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas' chatter from inside GX's metrics
        result = definition.run(
            batch_parameters={"dataframe": frame.to_pandas()},
            result_format={"result_format": "SUMMARY", "partial_unexpected_count": 5},
        )
    return QualityReport(
        raw_table=raw_table,
        outcomes=tuple(_outcome(raw_table, item) for item in result.results),
    )


@cache
def _context() -> Any:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)  # our CLI draws them
    context.data_sources.add_pandas("frames")
    return context


@cache
def _validation_definition(suite_name: str) -> Any:
    import great_expectations as gx

    context = _context()
    definition = load_suite_definition(suite_name)
    suite = context.suites.add(gx.ExpectationSuite(**definition))
    asset = context.data_sources.get("frames").add_dataframe_asset(suite_name)
    batch = asset.add_batch_definition_whole_dataframe("whole_frame")
    return context.validation_definitions.add(
        gx.ValidationDefinition(name=suite_name, data=batch, suite=suite)
    )


def _outcome(raw_table: str, item: Any) -> ExpectationOutcome:
    config = item.expectation_config
    result = item.result or {}
    kwargs = {key: value for key, value in config.kwargs.items() if key != "batch_id"}
    sample = result.get("partial_unexpected_list")
    observed = result.get("observed_value")
    if item.exception_info and item.exception_info.get("raised_exception"):
        observed = item.exception_info.get("exception_message")
    return ExpectationOutcome(
        raw_table=raw_table,
        expectation_type=config.type,
        column_name=kwargs.get("column"),
        kwargs=json.dumps(kwargs, default=str, sort_keys=True),
        success=bool(item.success),
        element_count=result.get("element_count"),
        unexpected_count=result.get("unexpected_count"),
        unexpected_sample=json.dumps(sample[:5], default=str) if sample else None,
        observed_value=None if observed is None else json.dumps(observed, default=str)[:500],
    )
