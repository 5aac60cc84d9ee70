"""The published copy: consistent, atomic, described by its manifest, never from a failure."""

from __future__ import annotations

import json
import os
import struct
from pathlib import Path

import duckdb
import polars as pl
import pytest

from ingest import publish
from ingest.settings import Settings
from tests.warehouse_copies import copy_built, published_files

HEADER = struct.Struct("<8x4sQ")  # checksum, b"DUCK", storage version number


def _manifest(settings: Settings) -> dict:
    return json.loads((settings.published_dir / "manifest.json").read_text())


def test_build_publishes_every_mart_with_a_manifest(built_warehouse: Settings) -> None:
    out = built_warehouse.published_dir
    manifest = _manifest(built_warehouse)
    assert (out / "parquet").is_symlink()
    assert os.readlink(out / "parquet") == f".builds/{manifest['build_id']}"
    with duckdb.connect(str(out / "tradewatch.duckdb"), read_only=True) as con:
        assert con.execute("select build_id from ops.publication").fetchall() == [
            (manifest["build_id"],)
        ]
        marts = [
            name
            for (name,) in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'marts' union all "
                "select view_name from duckdb_views() where schema_name = 'marts' "
                "and not internal"
            ).fetchall()
        ]
        for table, facts in manifest["tables"].items():
            assert con.execute(f"select count(*) from {table}").fetchall() == [(facts["rows"],)]
    assert {"trade_goal_progress", "us_turkey_trade_monthly", "countries"} <= set(marts)
    for mart in marts:
        entry = manifest["tables"][f"marts.{mart}"]
        frame = pl.read_parquet(out / entry["parquet"])
        assert frame.height == entry["rows"], mart


def test_manifest_states_vintages_dbt_and_expectation_results(built_warehouse: Settings) -> None:
    manifest = _manifest(built_warehouse)
    census = manifest["sources"]["census-country"]
    assert census["latest_vintage"] == "2026-08"
    assert census["datasets"]["workbook"] == ["2018-08", "2019-10", "2022-01", "2023-01", "2024-06"]
    assert manifest["dbt"]["command"] == "build"
    assert manifest["dbt"]["failed"] == 0
    assert manifest["dbt"]["passed"] == sum(manifest["dbt"]["by_status"].values())
    by_type = manifest["dbt"]["by_resource_type"]
    assert set(by_type) >= {"model", "test", "unit_test"}
    assert set(by_type["model"]) == {"success"}
    assert set(by_type["test"]) == set(by_type["unit_test"]) == {"pass"}
    with duckdb.connect(str(built_warehouse.db_path), read_only=True) as con:
        passed, failed = con.execute(
            "select sum(expectations_passed), sum(expectations_failed) from ops.loads "
            "where status = 'ok'"
        ).fetchall()[0]
    assert manifest["expectations"]["failed"] == failed == 0
    assert manifest["expectations"]["passed"] == passed
    assert manifest["storage_version"] == "v2.0.0+"


def test_published_copy_reads_the_same_goal_as_the_warehouse(built_warehouse: Settings) -> None:
    sql = "select month_date, total_trade_t12m_usd from marts.trade_goal_progress order by 1"
    with duckdb.connect(str(built_warehouse.db_path), read_only=True) as live:
        expected = live.execute(sql).fetchall()
    published = built_warehouse.published_dir / "tradewatch.duckdb"
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute(sql).fetchall() == expected
        # staging views resolve inside the copy: it is a whole warehouse, not just marts
        assert con.execute("select count(*) from staging.stg_reference__countries").fetchall() == [
            (249,)
        ]


def test_republish_swaps_in_a_new_build_and_keeps_two_parquet_sets(
    built_warehouse: Settings, tmp_path: Path
) -> None:
    settings = copy_built(built_warehouse, tmp_path)
    first = _manifest(settings)["build_id"]
    second = publish.publish(settings)
    third = publish.publish(settings)
    assert len({first, second.build_id, third.build_id}) == 3
    assert _manifest(settings)["build_id"] == third.build_id
    builds = sorted(path.name for path in (settings.published_dir / ".builds").iterdir())
    assert builds == sorted([second.build_id, third.build_id])
    assert (settings.published_dir / "parquet").resolve().name == third.build_id
    leftovers = [path.name for path in settings.published_dir.iterdir() if ".next" in path.name]
    assert leftovers == []
    assert not (settings.published_dir / "tradewatch.duckdb.wal").exists()


def test_storage_version_for_older_readers(built_warehouse: Settings, tmp_path: Path) -> None:
    settings = copy_built(built_warehouse, tmp_path)
    publication = publish.publish(settings, storage_version="v1.4.0")
    with (settings.published_dir / "tradewatch.duckdb").open("rb") as handle:
        magic, version = HEADER.unpack(handle.read(HEADER.size))
    assert (magic, version) == (b"DUCK", 67)  # DuckDB 1.4 reads 64-67; 2.0 writes 999
    assert publication.manifest["storage_version"] == "v1.4.0+"
    with duckdb.connect(str(publication.database), read_only=True) as con:
        assert con.execute("select count(*) from marts.countries").fetchall() == [(249,)]


def test_a_failed_publish_leaves_the_published_copy_byte_identical(
    built_warehouse: Settings, tmp_path: Path
) -> None:
    settings = copy_built(built_warehouse, tmp_path)
    before = published_files(settings)
    with pytest.raises(publish.PublishFailed, match=r"storage version v0\.0\.1"):
        publish.publish(settings, storage_version="v0.0.1")
    assert published_files(settings) == before
    assert [path.name for path in settings.published_dir.glob(".*next*")] == []
    assert len(list((settings.published_dir / ".builds").iterdir())) == 1


def test_publish_refuses_after_a_failed_dbt_build(
    built_warehouse: Settings, tmp_path: Path
) -> None:
    settings = copy_built(built_warehouse, tmp_path)
    results_path = settings.db_path.parent / "dbt" / "target" / "run_results.json"
    results = json.loads(results_path.read_text())
    results["results"][0]["status"] = "fail"
    results_path.write_text(json.dumps(results))
    before = published_files(settings)

    with pytest.raises(publish.PublishRefused, match="1 failed node"):
        publish.publish(settings)
    assert published_files(settings) == before

    forced = publish.publish(settings, force=True)
    assert forced.manifest["dbt"]["failed"] == 1


def test_publish_without_a_warehouse_says_so(settings: Settings) -> None:
    with pytest.raises(publish.PublishFailed, match="no warehouse yet"):
        publish.publish(settings)
