"""Are two warehouses' marts identical? Every `marts.*` relation compared row for row.

    python -m bench.compare_marts BEFORE.duckdb AFTER.duckdb [--schema marts ...]

Both files are attached read-only in one DuckDB session. For every relation in the schema of
either file: it must exist in both, with the same column names and types in the same order,
and `before except all after` and `after except all before` must both be empty (`except all`
keeps duplicates, so a row present twice on one side and once on the other is a difference).
Prints one line per relation and exits 0 when all are identical, 1 otherwise. Use it for a
refactoring that must not change the data: build once before, once after, compare.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb


@dataclass(frozen=True)
class Comparison:
    relation: str
    rows_before: int | None
    rows_after: int | None
    problem: str | None  # None when identical

    def line(self) -> str:
        verdict = "identical" if self.problem is None else f"DIFFERENT: {self.problem}"
        return f"{self.relation}: {self.rows_before} / {self.rows_after} rows, {verdict}"


def _relations(con: duckdb.DuckDBPyConnection, catalog: str, schema: str) -> list[str]:
    rows = con.execute(
        "select table_name from information_schema.tables"
        " where table_catalog = ? and table_schema = ? order by table_name",
        [catalog, schema],
    ).fetchall()
    return [name for (name,) in rows]


def _columns(
    con: duckdb.DuckDBPyConnection, catalog: str, schema: str, name: str
) -> list[tuple[str, str]]:
    return [
        (column, kind)
        for column, kind in con.execute(
            "select column_name, data_type from information_schema.columns"
            " where table_catalog = ? and table_schema = ? and table_name = ?"
            " order by ordinal_position",
            [catalog, schema, name],
        ).fetchall()
    ]


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(f"select count(*) from ({sql})").fetchone()
    assert row is not None
    return int(row[0])


def compare_relation(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> Comparison:
    """One relation of `before` against the same name in `after` (both attached on `con`)."""
    relation = f"{schema}.{name}"
    before_names = _relations(con, "before", schema)
    after_names = _relations(con, "after", schema)
    before = f'before."{schema}"."{name}"'
    after = f'after."{schema}"."{name}"'
    rows_before = _count(con, f"from {before}") if name in before_names else None
    rows_after = _count(con, f"from {after}") if name in after_names else None
    if rows_before is None or rows_after is None:
        missing = "before" if rows_before is None else "after"
        return Comparison(relation, rows_before, rows_after, f"missing {missing}")
    columns_before = _columns(con, "before", schema, name)
    columns_after = _columns(con, "after", schema, name)
    if columns_before != columns_after:
        return Comparison(
            relation, rows_before, rows_after, f"columns {columns_before} != {columns_after}"
        )
    only_before = _count(con, f"from {before} except all from {after}")
    only_after = _count(con, f"from {after} except all from {before}")
    problem = None
    if only_before or only_after:
        problem = f"{only_before} rows only before, {only_after} rows only after"
    return Comparison(relation, rows_before, rows_after, problem)


def compare(before: Path, after: Path, schemas: list[str]) -> list[Comparison]:
    """Every relation of `schemas` in either warehouse, compared both ways."""
    with duckdb.connect() as con:
        for alias, path in (("before", before), ("after", after)):
            quoted = str(path).replace("'", "''")
            con.execute(f"attach '{quoted}' as {alias} (read_only)")
        results = []
        for schema in schemas:
            names = sorted(
                set(_relations(con, "before", schema)) | set(_relations(con, "after", schema))
            )
            results.extend(compare_relation(con, schema, name) for name in names)
        return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path, help="the warehouse built before the change")
    parser.add_argument("after", type=Path, help="the warehouse built after the change")
    parser.add_argument(
        "--schema", action="append", dest="schemas", help="schema to compare (default: marts)"
    )
    args = parser.parse_args(argv)
    for path in (args.before, args.after):
        if not path.is_file():
            print(f"{path}: no such warehouse file", file=sys.stderr)
            return 2
    results = compare(args.before, args.after, args.schemas or ["marts"])
    for result in results:
        print(result.line())
    if not results:
        print(f"no relations in schema(s) {args.schemas or ['marts']}", file=sys.stderr)
        return 1
    different = [result for result in results if result.problem is not None]
    print(f"{len(results) - len(different)} of {len(results)} relations identical")
    return 1 if different else 0


if __name__ == "__main__":
    sys.exit(main())
