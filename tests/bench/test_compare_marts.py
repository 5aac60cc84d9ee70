"""bench/compare_marts.py tells identical marts from different ones, duplicates included."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from bench.compare_marts import compare, main


def _warehouse(path: Path, statements: list[str]) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        for statement in statements:
            con.execute(statement)
    return path


ROWS = (
    "create table marts.flows as select * from"
    " (values (2024, 'import', 1.5), (2024, 'export', 2.0)) t(year, flow, value_usd)"
)


def test_identical_marts_exit_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = _warehouse(tmp_path / "before.duckdb", [ROWS])
    after = _warehouse(tmp_path / "after.duckdb", [ROWS])
    assert main([str(before), str(after)]) == 0
    assert "marts.flows: 2 / 2 rows, identical" in capsys.readouterr().out


def test_a_duplicated_row_is_a_difference(tmp_path: Path) -> None:
    before = _warehouse(tmp_path / "before.duckdb", [ROWS])
    after = _warehouse(
        tmp_path / "after.duckdb",
        [ROWS, "insert into marts.flows values (2024, 'import', 1.5)"],
    )
    [result] = compare(before, after, ["marts"])
    assert result.problem == "0 rows only before, 1 rows only after"
    assert main([str(before), str(after)]) == 1


def test_missing_relation_and_changed_columns_are_differences(tmp_path: Path) -> None:
    before = _warehouse(
        tmp_path / "before.duckdb", [ROWS, "create table marts.gone as select 1 as x"]
    )
    after = _warehouse(
        tmp_path / "after.duckdb",
        [ROWS.replace("value_usd", "value")],
    )
    problems = {result.relation: result.problem for result in compare(before, after, ["marts"])}
    assert problems["marts.gone"] == "missing after"
    assert problems["marts.flows"] is not None and problems["marts.flows"].startswith("columns")
