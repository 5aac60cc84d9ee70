"""`--format csv` without polars writes the bytes polars' `write_csv` wrote: compared on
every mart of the session build and on values chosen for the corners of each type."""

from __future__ import annotations

import duckdb
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest import csv_text
from ingest.access import ColumnType, QueryResult, _fetch
from ingest.settings import Settings

CORNERS = """
select * from (values
    (1e-7::double, 1e-5::double, 1.5e-5::double, 9.999e-5::double, 1e-4::double, 1e16::double,
     1e15::double, -0.0::double, 'nan'::double, 'inf'::double, '-inf'::double, 0.1::real,
     16777216::real, 3.4e38::real, 123.45::decimal(18, 2), 5.00::decimal(18, 2),
     -7::decimal(18, 0), '' , 'a,"b', 'x' || chr(10) || 'y', ' padded ', 'tab' || chr(9),
     true, date '0999-01-02', time '10:00:00.5', timestamp '2024-01-01 10:00:00.123456',
     timestamptz '2024-01-01 10:00:00+00', 170141183460469231731687303715884105727::hugeint,
     uuid '00000000-0000-0000-0000-000000000001', -3::tinyint, 42::ubigint),
    (null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
     null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
     null)
) as corners("a,b", "quote""d", c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15,
    c16, c17, c18, c19, c20, c21, c22, c23, c24, c25, c26, c27, c28, c29, c30, c31)
"""


def both(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[str, str]:
    result = _fetch(con.sql(sql))
    assert {dtype.name for dtype in result.dtypes} <= csv_text.TYPES
    return result.write_csv(), con.sql(sql).pl().write_csv()


def test_the_corners_of_every_type_are_written_as_polars_writes_them() -> None:
    with duckdb.connect() as con:
        con.execute("set TimeZone = 'UTC'")
        ours, polars = both(con, CORNERS)
    assert ours == polars


def test_an_empty_result_is_its_header() -> None:
    with duckdb.connect() as con:
        ours, polars = both(con, "select 1 as one, 'x' as two where false")
    assert ours == polars == "one,two\n"


@given(st.lists(st.floats(allow_nan=False), min_size=1, max_size=50))
@settings(max_examples=200, deadline=None)
def test_any_double_is_written_as_polars_writes_it(values: list[float]) -> None:
    result = QueryResult(["x"], [ColumnType("double")], [(value,) for value in values])
    assert result.write_csv() == pl.DataFrame({"x": values}, schema={"x": pl.Float64}).write_csv()


def test_every_mart_is_written_as_polars_writes_it(built_warehouse: Settings) -> None:
    published = built_warehouse.published_dir / "tradewatch.duckdb"
    with duckdb.connect() as con:
        con.execute(f"attach '{published}' as published (read_only)")
        marts = [
            row[0]
            for row in con.execute(
                "select table_name from duckdb_tables() "
                "where database_name = 'published' and schema_name = 'marts' order by 1"
            ).fetchall()
        ]
        assert len(marts) > 20
        for mart in marts:
            # every column of every mart, on a sample of its rows taken once (the types are
            # the point; the corners above hold the values' edge cases)
            con.execute(
                f"create or replace temp table sample as select * from published.marts.{mart} "
                "using sample reservoir(2000 rows) repeatable (7)"
            )
            ours, polars = both(con, "select * from sample")
            assert ours == polars, mart


@pytest.mark.parametrize("sql", ["select [1, 2] as list", "select interval 1 day as span"])
def test_other_types_are_not_claimed(sql: str) -> None:
    with duckdb.connect() as con:
        types = {str(column.id) for column in con.sql(sql).types}
    assert not types <= csv_text.TYPES
