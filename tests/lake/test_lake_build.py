"""`tradewatch build --target lake` builds the same marts as the embedded build."""

from __future__ import annotations

from pathlib import Path

from tests.lake.conftest import Lake


def _lake_marts(con) -> list[str]:  # type: ignore[no-untyped-def]
    rows = con.execute(
        "select table_name from information_schema.tables "
        "where table_catalog = current_database() and table_schema = 'marts' order by 1"
    ).fetchall()
    return [name for (name,) in rows]


def _only_in_first(con, first: str, second: str) -> int:  # type: ignore[no-untyped-def]
    return con.execute(f"select count(*) from ({first} except all {second})").fetchone()[0]


def test_every_mart_of_the_lake_build_equals_the_embedded_build(
    built_lake: Lake, embedded_parquet: Path
) -> None:
    with built_lake.connect() as con:
        marts = _lake_marts(con)
        assert marts == sorted(path.stem for path in embedded_parquet.glob("*.parquet"))
        differences = {}
        for mart in marts:
            lake_rows = f"select * from marts.{mart}"
            embedded_rows = f"select * from read_parquet('{embedded_parquet / mart}.parquet')"
            differences[mart] = (
                _only_in_first(con, lake_rows, embedded_rows),
                _only_in_first(con, embedded_rows, lake_rows),
            )
        assert differences == {mart: (0, 0) for mart in marts}
        months = con.execute("select count(*) from marts.trade_goal_progress").fetchone()[0]
    assert months > 100  # the comparison compared real rows


def test_the_lake_keeps_the_ledger_and_the_quality_results(built_lake: Lake) -> None:
    with built_lake.connect() as con:
        sources = {
            source
            for (source,) in con.execute(
                "select distinct source from ops.loads where status = 'ok'"
            ).fetchall()
        }
        results = con.execute(
            "select count(*), count(*) filter (where not success) from ops.data_quality_results "
            "join ops.loads using (load_id) where status = 'ok'"
        ).fetchone()
    assert {"census-country", "usgs-mcs", "baci", "deals"} <= sources
    assert results[0] > 100
    assert results[1] == 0


def test_a_second_lake_build_skips_every_payload(built_lake: Lake) -> None:
    result = built_lake.tradewatch("ingest", "usgs-mcs", "--target", "lake")
    assert result.returncode == 0, result.stderr
    assert "skipped" in result.stdout
    assert " ok " not in result.stdout
