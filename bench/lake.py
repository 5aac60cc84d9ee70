"""The lake benchmark: a BACI release loaded into DuckLake (PostgreSQL catalog, partitioned by
year), then the heavy queries from a second process, beside the embedded figures.

    .venv-lake/bin/python -m bench.lake            # 50M rows (make bench)
    .venv-lake/bin/python -m bench.lake --quick    # 100k rows, 3 query runs (smoke test)

Runs in the lake environment (`make lake-install`). PostgreSQL: TRADEWATCH_TEST_PG_DSN (an
administrator DSN), else a throw-away cluster started with .ci/pg-cluster and stopped at the
end. Writes bench/results/lake.json (quick: lake-quick.json); never asserts a timing.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from bench.generate import ensure
from bench.run import BIN, RESULTS, ROOT, WORK, _tradewatch_env, machine, measure


@contextmanager
def postgres() -> Iterator[str]:
    given = os.environ.get("TRADEWATCH_TEST_PG_DSN")
    if given:
        yield given
        return
    folder = tempfile.mkdtemp(prefix="tradewatch-bench-pg-")
    script = str(ROOT / ".ci" / "pg-cluster")
    started = subprocess.run(
        ["bash", script, "start", folder], capture_output=True, text=True, check=True
    )
    try:
        yield started.stdout.strip().split("=", 1)[1].strip("'")
    finally:
        subprocess.run(["bash", script, "stop", folder], check=False)


def new_catalog(admin_dsn: str) -> str:
    import psycopg
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    name = f"bench_lake_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_dsn, autocommit=True) as pg:
        pg.execute(f'create database "{name}"')
    return make_conninfo(**{**conninfo_to_dict(admin_dsn), "dbname": name})


def lake_env(workdir: Path, catalog_dsn: str) -> dict[str, str]:
    return {
        **_tradewatch_env(workdir),
        "TRADEWATCH_TARGET": "lake",
        "TRADEWATCH_LAKE_CATALOG": "postgres:" + catalog_dsn,
        "TRADEWATCH_LAKE_DATA_PATH": str(workdir / "lake-data") + "/",
    }


def queries(runs: int) -> dict:
    """In the second process: the heavy queries on the lake, read-only."""
    from bench.methods import _timings
    from bench.queries import HEAVY
    from ingest import lake

    with lake.connect(lake.configured(), read_only=True) as con:  # type: ignore[arg-type]
        rows = con.execute("select count(*) from raw_baci.trade_flows").fetchone()[0]
        files = con.execute(
            "select count(*) from ducklake_list_files('tradewatch', 'trade_flows', "
            "schema => 'raw_baci')"
        ).fetchone()[0]
        timings = {
            name: {**_timings(con, sql, runs), "rows": len(con.execute(sql).fetchall())}
            for name, sql in HEAVY.items()
        }
    return {"rows": rows, "data_files": files, "queries": timings}


def main() -> None:
    parser = argparse.ArgumentParser(description="tradewatch lake benchmark")
    parser.add_argument("--quick", action="store_true", help="100k rows, 3 query runs")
    parser.add_argument("--size", default=None, help="1m, 10m or 50m (default 50m)")
    parser.add_argument("--queries", type=int, help=argparse.SUPPRESS)  # the second process
    args = parser.parse_args()
    if args.queries:
        print(json.dumps(queries(args.queries)), flush=True)
        return
    size = args.size or ("100k" if args.quick else "50m")
    runs = 3 if args.quick else 20
    release = ensure(size)
    workdir = WORK / f"lake-{size}"
    logs = WORK / "logs"
    with postgres() as admin_dsn:
        env = lake_env(workdir, new_catalog(admin_dsn))
        load = measure(
            [str(BIN / "tradewatch"), "ingest", "baci", "--file", str(release), "--all-products"],
            env=env,
            log=logs / f"lake-load-{size}.log",
        )
        heavy = measure(
            [sys.executable, "-m", "bench.lake", "--queries", str(runs)],
            env=env,
            log=logs / f"lake-queries-{size}.log",
        )
    result = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "size": size,
        "release": release.name,
        "load": load,
        "queries": heavy,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    target = RESULTS / ("lake-quick.json" if args.quick else "lake.json")
    target.write_text(json.dumps(result, indent=2) + "\n")
    print(
        f"[bench] lake: {load['wall_s']:.1f} s to load {size} rows into the lake "
        f"({heavy['data_files']} data files); wrote {target.relative_to(ROOT)}",
        flush=True,
    )
    if heavy["rows"] == 0:
        raise SystemExit("the lake holds no BACI rows after the load")


if __name__ == "__main__":
    main()
