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

from ingest.errors import TradewatchError
from ingest.ledger import ExpectationOutcome  # a row of the ledger; quality re-exports it
from ingest.settings import EXPECTATIONS_DIR

SUITES_DIR = EXPECTATIONS_DIR / "gx" / "expectations"


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
    # deferred: Great Expectations takes seconds to import and most commands never validate
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)  # our CLI draws them
    context.data_sources.add_pandas("frames")
    return context


@cache
def _validation_definition(suite_name: str) -> Any:
    import great_expectations as gx  # deferred: slow import, see _context

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


# --- the same suites evaluated as SQL on a DuckDB relation (file-backed, staged loads) ---
#
# A release of tens of millions of rows cannot go through pandas. The suite JSON stays the one
# definition; each expectation type below is translated to SQL with GX's semantics (nulls are
# ignored by value expectations, `mostly` is a share of the non-null rows, uniqueness counts
# every row of a repeated value), and a type without a translation is refused, never skipped.

SqlParams = list[object]


@dataclass
class _Plan:
    expectation_type: str
    kwargs: dict[str, Any]
    column: str | None = None
    # per-row expectations: a predicate that is true for an unexpected row
    unexpected_sql: str | None = None
    params: SqlParams | None = None
    # the rows `mostly` is a share of: non-null values unless said otherwise
    denominator_sql: str | None = None
    sample_sql: str | None = None  # what to show of a few unexpected rows
    error: str | None = None


def validate_relation(con: Any, relation: str, raw_table: str) -> QualityReport:
    """Every expectation of `raw_table`'s suite, evaluated in DuckDB on `relation` (a table
    name or a parenthesised SELECT). Per-row expectations share one scan; those that judge a
    value alone, on a column of few distinct values, are judged once per distinct value."""
    definition = load_suite_definition(raw_table.replace(".", "__"))
    columns = [row[0] for row in con.execute(f"describe select * from {relation}").fetchall()]
    plans = [_plan(item, columns) for item in definition.get("expectations", [])]
    row_plans = [plan for plan in plans if plan.unexpected_sql is not None]
    by_column = _by_distinct_value(con, relation, row_plans)
    grouped = {id(plan) for group in by_column.values() for plan in group}
    rows, counts = _scan_counts(con, relation, [p for p in row_plans if id(p) not in grouped])
    for column, group in by_column.items():
        counts |= _distinct_value_counts(con, relation, column, group)
    outcomes = [
        _sql_outcome(con, relation, raw_table, plan, rows, columns, counts.get(id(plan)))
        for plan in plans
    ]
    return QualityReport(raw_table=raw_table, outcomes=tuple(outcomes))


Counts = dict[int, tuple[int, int]]  # id(plan) -> (unexpected rows, denominator rows)

# Expectations whose verdict on a row depends on that row's value in one column only.
_VALUE_KINDS = frozenset({
    "expect_column_values_to_match_regex",
    "expect_column_values_to_be_in_set",
    "expect_column_value_lengths_to_equal",
})  # fmt: skip
_PROBE_ROWS = 100_000
_FEW_DISTINCT_SHARE = 0.1


def _scan_counts(con: Any, relation: str, plans: list[_Plan]) -> tuple[int, Counts]:
    selects = ["count(*)"]
    params: SqlParams = []
    for plan in plans:
        selects.append(f"count(*) filter (where {plan.unexpected_sql})")
        params.extend(plan.params or [])
        selects.append(plan.denominator_sql or f"count({_quote(plan.column)})")
    counts = con.execute(f"select {', '.join(selects)} from {relation}", params).fetchone()
    return int(counts[0]), {
        id(plan): (int(counts[1 + 2 * n]), int(counts[2 + 2 * n])) for n, plan in enumerate(plans)
    }


def _by_distinct_value(con: Any, relation: str, plans: list[_Plan]) -> dict[str, list[_Plan]]:
    """Value expectations grouped by column, for the columns whose first rows repeat a few
    values (country and product codes, a vintage): a regular expression run on 5,000 codes
    instead of 50 million rows gives the same counts. A column that only looks repetitive at
    first costs time, never correctness."""
    candidates: dict[str, list[_Plan]] = {}
    for plan in plans:
        if plan.expectation_type in _VALUE_KINDS and plan.column is not None:
            candidates.setdefault(plan.column, []).append(plan)
    if not candidates:
        return {}
    names = list(candidates)
    distinct = ", ".join(f"count(distinct {_quote(name)})" for name in names)
    picked = ", ".join(_quote(name) for name in names)
    probe = con.execute(
        f"select count(*), {distinct} from (select {picked} from {relation} limit {_PROBE_ROWS})"
    ).fetchone()
    few = probe[0] * _FEW_DISTINCT_SHARE
    return {
        name: candidates[name] for name, seen in zip(names, probe[1:], strict=True) if seen <= few
    }


def _distinct_value_counts(con: Any, relation: str, column: str, plans: list[_Plan]) -> Counts:
    quoted = _quote(column)
    selects: list[str] = []
    params: SqlParams = []
    for plan in plans:
        selects.append(f"coalesce(sum(__rows) filter (where {plan.unexpected_sql}), 0)")
        params.extend(plan.params or [])
        selects.append(f"coalesce(sum(__rows) filter (where {quoted} is not null), 0)")
    counts = con.execute(
        f"select {', '.join(selects)} from (select {quoted}, count(*) as __rows "
        f"from {relation} group by {quoted})",
        params,
    ).fetchone()
    return {id(plan): (int(counts[2 * n]), int(counts[2 * n + 1])) for n, plan in enumerate(plans)}


def _plan(item: dict[str, Any], columns: list[str]) -> _Plan:
    kind = item["type"]
    kwargs = dict(item.get("kwargs", {}))
    plan = _Plan(kind, kwargs, column=kwargs.get("column"))
    if plan.column is not None and plan.column not in columns:
        plan.error = f"column {plan.column!r} is not in the table"
        return plan
    column = _quote(plan.column) if plan.column else ""
    plan.sample_sql = column or None
    if kind == "expect_column_values_to_not_be_null":
        plan.unexpected_sql, plan.denominator_sql, plan.sample_sql = (
            f"{column} is null",
            "count(*)",
            None,
        )
    elif kind == "expect_column_values_to_be_null":
        plan.unexpected_sql, plan.denominator_sql = f"{column} is not null", "count(*)"
    elif kind == "expect_column_value_lengths_to_equal":
        plan.unexpected_sql = f"{column} is not null and length({column}) <> ?"
        plan.params = [kwargs["value"]]
    elif kind == "expect_column_pair_values_to_be_equal":
        _pair_plan(plan, kwargs, columns)
    elif kind == "expect_column_values_to_be_between":
        plan.unexpected_sql, plan.params = _between_sql(column, kwargs)
    elif kind == "expect_column_values_to_be_in_set":
        plan.unexpected_sql = f"{column} is not null and not list_contains(?, {column})"
        plan.params = [list(kwargs["value_set"])]
    elif kind == "expect_column_values_to_match_regex":
        plan.unexpected_sql = f"{column} is not null and not regexp_matches({column}, ?)"
        plan.params = [kwargs["regex"]]
    elif kind not in _TABLE_LEVEL:
        raise TradewatchError(f"expectation {kind} has no SQL translation in ingest/quality.py")
    return plan


def _pair_plan(plan: _Plan, kwargs: dict[str, Any], columns: list[str]) -> None:
    """GX skips a row only when both values are missing; one missing value is unequal."""
    missing = [kwargs[key] for key in ("column_A", "column_B") if kwargs[key] not in columns]
    if missing:
        plan.error = f"columns {missing} are not in the table"
        return
    first, second = _quote(kwargs["column_A"]), _quote(kwargs["column_B"])
    both_missing = f"({first} is null and {second} is null)"
    plan.unexpected_sql = f"not {both_missing} and {first} is distinct from {second}"
    plan.denominator_sql = f"count(*) filter (where not {both_missing})"
    plan.sample_sql = f"[{first}::varchar, {second}::varchar]"


def _between_sql(column: str, kwargs: dict[str, Any]) -> tuple[str, SqlParams]:
    tests, params = [], []
    if kwargs.get("min_value") is not None:
        tests.append(f"{column} {'<=' if kwargs.get('strict_min') else '<'} ?")
        params.append(kwargs["min_value"])
    if kwargs.get("max_value") is not None:
        tests.append(f"{column} {'>=' if kwargs.get('strict_max') else '>'} ?")
        params.append(kwargs["max_value"])
    return f"{column} is not null and ({' or '.join(tests) or 'false'})", params


def _sql_outcome(
    con: Any,
    relation: str,
    raw_table: str,
    plan: _Plan,
    rows: int,
    columns: list[str],
    counts: tuple[int, int] | None,
) -> ExpectationOutcome:
    kwargs_json = json.dumps(plan.kwargs, default=str, sort_keys=True)
    outcome: dict[str, Any] = {
        "raw_table": raw_table, "expectation_type": plan.expectation_type,
        "column_name": plan.column, "kwargs": kwargs_json, "element_count": None,
        "unexpected_count": None, "unexpected_sample": None, "observed_value": None,
    }  # fmt: skip
    if plan.error is not None:
        return ExpectationOutcome(**outcome, success=False)
    if counts is not None:
        unexpected, denominator = counts
        success = _mostly(unexpected, denominator, plan.kwargs.get("mostly"))
        sample = None
        if unexpected and plan.sample_sql is not None:
            sample = _sample(con, relation, plan)
        outcome |= {
            "element_count": rows,
            "unexpected_count": unexpected,
            "unexpected_sample": sample,
        }
        return ExpectationOutcome(**outcome, success=success)
    success, observed, repeated = _table_level(con, relation, plan, rows, columns)
    outcome |= {"observed_value": json.dumps(observed, default=str)[:500]}
    if repeated is not None:
        outcome |= {"element_count": rows, "unexpected_count": repeated, "observed_value": None}
    return ExpectationOutcome(**outcome, success=success)


def _table_level(
    con: Any, relation: str, plan: _Plan, rows: int, columns: list[str]
) -> tuple[bool, object, int | None]:
    kwargs = plan.kwargs
    kind = plan.expectation_type
    if kind == "expect_table_row_count_to_be_between":
        low, high = kwargs.get("min_value"), kwargs.get("max_value")
        return (low is None or rows >= low) and (high is None or rows <= high), rows, None
    if kind == "expect_table_columns_to_match_set":
        wanted = set(kwargs["column_set"])
        exact = kwargs.get("exact_match", True)
        ok = set(columns) == wanted if exact else wanted <= set(columns)
        return ok, columns, None
    if kind == "expect_table_columns_to_match_ordered_list":
        return columns == list(kwargs["column_list"]), columns, None
    if kind == "expect_column_values_to_be_unique" and plan.column is not None:
        names = [plan.column]
    else:  # expect_compound_columns_to_be_unique
        names = list(kwargs["column_list"])
        missing = [name for name in names if name not in columns]
        if missing:
            return False, f"columns {missing} are not in the table", None
    return _repeated_rows(con, relation, names)


def _repeated_rows(con: Any, relation: str, names: list[str]) -> tuple[bool, object, int]:
    """GX's count: every row of a repeated key (rows whose key is all null are skipped).
    Equal keys hash alike, so as many distinct hashes as rows proves the key unique with one
    narrow aggregate; only otherwise are the repeated keys counted exactly."""
    keys = ", ".join(_quote(name) for name in names)
    kept = "not (" + " and ".join(f"{_quote(name)} is null" for name in names) + ")"
    rows, hashes = con.execute(
        f"select count(*), count(distinct hash({keys})) from {relation} where {kept}"
    ).fetchone()
    if rows == hashes:
        return True, None, 0
    repeated = con.execute(
        f"select coalesce(sum(copies), 0) from (select count(*) as copies from {relation} "
        f"where {kept} group by {keys} having count(*) > 1)"
    ).fetchone()[0]
    return int(repeated) == 0, None, int(repeated)


_TABLE_LEVEL = frozenset({
    "expect_table_row_count_to_be_between",
    "expect_table_columns_to_match_set",
    "expect_table_columns_to_match_ordered_list",
    "expect_column_values_to_be_unique",
    "expect_compound_columns_to_be_unique",
})  # fmt: skip


def _mostly(unexpected: int, denominator: int, mostly: float | None) -> bool:
    if unexpected == 0:
        return True
    if mostly is None or denominator == 0:
        return False
    return 1 - unexpected / denominator >= mostly


def _sample(con: Any, relation: str, plan: _Plan) -> str:
    values = con.execute(
        f"select {plan.sample_sql} from {relation} where {plan.unexpected_sql} limit 5",
        plan.params or [],
    ).fetchall()
    return json.dumps([value for (value,) in values], default=str)


def _quote(name: str | None) -> str:
    return '"' + str(name).replace('"', '""') + '"'
