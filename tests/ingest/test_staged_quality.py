"""File-backed loads: the streaming archive is byte-exact, and the suites evaluated as SQL
agree with Great Expectations expectation by expectation on the same batch."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb
import polars as pl
import pytest

from ingest import landing, quality
from ingest.quality import validate_frame, validate_relation
from ingest.sources import baci, turkstat
from ingest.sources.base import bundled_path


def test_archive_file_copies_byte_for_byte_in_one_pass(tmp_path: Path) -> None:
    source = bundled_path("baci", "trade_2024.parquet")
    archived = landing.archive_file(
        source, source="baci", dataset="atlas_trade", origin=source.name, landing_dir=tmp_path
    )
    content = source.read_bytes()
    assert archived.path.read_bytes() == content
    assert archived.sha256 == hashlib.sha256(content).hexdigest()
    assert archived.path.name == f"{archived.sha256[:16]}-trade_2024.parquet"
    assert json.loads(archived.sidecar_path.read_text())["bytes"] == len(content)
    again = landing.archive_file(
        source, source="baci", dataset="atlas_trade", origin=source.name, landing_dir=tmp_path
    )
    assert again.path == archived.path
    assert sorted(p.name for p in archived.path.parent.iterdir()) == [
        archived.path.name,
        archived.sidecar_path.name,
    ]  # no partial file left behind


def outcomes_by(report: object) -> list[tuple[object, ...]]:
    """Comparable results; GX reports them in its own order and spells kwargs its own way."""
    return sorted(
        (
            (o.expectation_type, o.column_name or "", o.success, o.unexpected_count)
            for o in report.outcomes
        ),  # type: ignore[attr-defined]
        key=str,
    )


def sql_report(frame: pl.DataFrame, raw_table: str) -> object:
    with duckdb.connect() as con:
        con.register("batch", frame.to_arrow())
        return validate_relation(con, "batch", raw_table)


def test_sql_suite_agrees_with_gx_on_a_corrupted_real_batch() -> None:
    payload = bundled_path("baci", "baci_rare_earth_trade_world_and_cn_us_tr.csv").read_bytes()
    table = baci.ATLAS_SUMMARY.name
    frame = baci.parse_atlas_summary(payload, "summary.csv", codes=None)[table]
    corrupted = pl.concat(
        [
            frame.with_row_index()
            .with_columns(
                value_usd=pl.when(pl.col("index") == 0).then(-5).otherwise("value_usd"),
                flow_role=pl.when(pl.col("index") == 1)
                .then(pl.lit("partner"))
                .otherwise("flow_role"),
                hs6=pl.when(pl.col("index") == 2).then(pl.lit("28053")).otherwise("hs6"),
                country_name=pl.when(pl.col("index") == 3).then(None).otherwise("country_name"),
                share_of_world=pl.when(pl.col("index") == 60).then(1.5).otherwise("share_of_world"),
            )
            .drop("index"),
            frame.slice(10, 1),  # a duplicate key
        ]
    )
    gx = validate_frame(corrupted, table)
    sql = sql_report(corrupted, table)
    assert outcomes_by(sql) == outcomes_by(gx)
    assert sum(not o.success for o in sql.outcomes) == 6  # type: ignore[attr-defined]
    clean_gx, clean_sql = validate_frame(frame, table), sql_report(frame, table)
    assert outcomes_by(clean_sql) == outcomes_by(clean_gx)
    assert all(o.success for o in clean_sql.outcomes)  # type: ignore[attr-defined]


def test_sql_suite_agrees_with_gx_on_booleans_and_missing_columns() -> None:
    payload = bundled_path("turkstat", turkstat.BUNDLED_FILE).read_bytes()
    table = turkstat.TURKEY_USA_ANNUAL.name
    frame = turkstat.parse_press_figures(payload, "x.csv")[table]
    broken = frame.with_columns(is_secondary=pl.Series([True, False, True, True, True, True]))
    assert outcomes_by(sql_report(broken, table)) == outcomes_by(validate_frame(broken, table))
    renamed = frame.rename({"note": "notes"})
    sql = sql_report(renamed, table)
    failed = {o.expectation_type for o in sql.outcomes if not o.success}  # type: ignore[attr-defined]
    assert failed == {"expect_table_columns_to_match_set", "expect_column_values_to_not_be_null"}


@pytest.mark.parametrize("copies", [1, 40], ids=["row-by-row", "by-distinct-value"])
def test_every_translated_expectation_type_agrees_with_gx(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, copies: int
) -> None:
    """A suite using every type the SQL path translates, on a batch that breaks each; 40
    copies of it make `code` and `flag` repetitive enough to be judged per distinct value."""

    def expect(kind: str, **kwargs: object) -> dict[str, object]:
        return {"type": kind, "kwargs": kwargs, "meta": {}}

    suite = {
        "name": "raw_test__every_type",
        "expectations": [
            expect("expect_table_columns_to_match_set", column_set=["a", "b", "n", "code", "flag"]),
            expect("expect_table_row_count_to_be_between", min_value=1, max_value=5),
            expect("expect_column_values_to_not_be_null", column="a"),
            expect("expect_column_values_to_not_be_null", column="code", mostly=0.5),
            expect("expect_column_values_to_be_null", column="b"),
            expect("expect_column_values_to_be_between", column="n", min_value=0, max_value=100),
            expect("expect_column_values_to_be_in_set", column="flag", value_set=[True]),
            expect("expect_column_values_to_match_regex", column="code", regex=r"^\d{6}$"),
            expect("expect_column_value_lengths_to_equal", column="code", value=6),
            expect("expect_column_values_to_be_unique", column="code"),
            expect("expect_compound_columns_to_be_unique", column_list=["code", "flag"]),
            expect("expect_column_pair_values_to_be_equal", column_A="a", column_B="b"),
        ],
        "meta": {},
    }
    (tmp_path / "raw_test__every_type.json").write_text(json.dumps(suite))
    monkeypatch.setattr(quality, "SUITES_DIR", tmp_path)
    frame = pl.DataFrame({
        "a": ["x", "y", None, "z", "z", None],
        "b": ["x", "q", None, None, "z", None],
        "n": [1.0, -1.0, 5.0, None, 200.0, 3.0],
        "code": ["850511", "8505", "280530", None, "abc123", "850511"],
        "flag": [True, False, True, True, None, True],
    })  # fmt: skip
    frame = pl.concat([frame] * copies)
    gx, sql = validate_frame(frame, "raw_test.every_type"), sql_report(frame, "raw_test.every_type")
    assert outcomes_by(sql) == outcomes_by(gx)
    assert {o.success for o in sql.outcomes} == {True, False}  # type: ignore[attr-defined]
    with duckdb.connect() as con:
        con.register("batch", frame.to_arrow())
        plans = [quality._plan(item, frame.columns) for item in suite["expectations"]]  # type: ignore[arg-type]
        grouped = quality._by_distinct_value(con, "batch", plans)
    assert set(grouped) == (set() if copies == 1 else {"code", "flag"})
