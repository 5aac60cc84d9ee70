"""Benchmark-style proof that a BACI release is streamed, not loaded into memory.

A release zip is generated in BACI's layout (deterministic; 1.9 million rows, about 69 MB
of CSV) and loaded with --all-products in a child process whose DuckDB may use only 48 MB.
The child first loads a tiny release so that fixed costs (imports, DuckDB start-up) are paid
before the peak RSS is read. No timing is asserted.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import polars as pl

from ingest.settings import PROJECT_ROOT

ROWS = 1_900_000
DUCKDB_BUDGET_MB = 48
SLACK_MB = 16  # allocator and thread overhead outside DuckDB's buffer manager
COUNTRIES = "country_code,country_name,country_iso2,country_iso3\n4,Afghanistan,AF,AFG\n"

CHILD = r"""
import json, os, resource, sys, tracemalloc
from pathlib import Path
from ingest import pipeline
from ingest.settings import Settings
from ingest.sources.base import SourceRequest

def load(name, path):
    os.environ["TRADEWATCH_DB"] = str(Path(sys.argv[3]) / name / "tradewatch.duckdb")
    os.environ["TRADEWATCH_LANDING"] = str(Path(sys.argv[3]) / name / "landing")
    return pipeline.ingest_source("baci", Settings.from_env(), file=Path(path),
                                  request=SourceRequest(all_products=True))

def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

load("warm_up", sys.argv[1])
before = peak_mb()
tracemalloc.start()
(result,) = load("release", sys.argv[2])
print(json.dumps({"rows": result.rows, "status": result.status, "rss_growth_mb": peak_mb() - before,
                  "python_peak_mb": tracemalloc.get_traced_memory()[1] / 2**20}))
"""


def generated_release(path: Path, rows: int) -> int:
    """Unique exporter-importer-product keys, values in thousand USD, 5 % NA quantities."""
    index = pl.col("index")
    frame = pl.select(index=pl.int_range(rows)).select(
        t=pl.lit(2022),
        i=(index % 200 + 4).cast(pl.String),
        j=((index // 200) % 200 + 4).cast(pl.String),
        k=(100000 + (index // 40000) * 97).cast(pl.String),
        v=((index * 7919) % 1000003).cast(pl.Float64) / 1000,
        q=pl.when(index % 20 == 0)
        .then(None)
        .otherwise(((index * 104729) % 50021).cast(pl.Float64) / 1000),
    )
    csv = frame.write_csv(null_value="NA").encode()
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zipped:
        zipped.writestr("BACI_HS22_Y2022_V202601.csv", csv)
        zipped.writestr("country_codes_V202601.csv", COUNTRIES)
    return len(csv)


def test_a_release_larger_than_the_memory_budget_streams_through(tmp_path: Path) -> None:
    tiny, large = tmp_path / "tiny" / "BACI_HS22_V202601.zip", tmp_path / "BACI_HS22_V202601.zip"
    tiny.parent.mkdir()
    generated_release(tiny, 1_000)
    csv_mb = generated_release(large, ROWS) / 2**20
    assert csv_mb > DUCKDB_BUDGET_MB + SLACK_MB  # the file does not fit in the budget
    env = os.environ | {"TRADEWATCH_DUCKDB_MEMORY_LIMIT": f"{DUCKDB_BUDGET_MB}MB"}
    completed = subprocess.run(
        [sys.executable, "-c", CHILD, str(tiny), str(large), str(tmp_path / "warehouses")],
        capture_output=True,
        text=True,
        env=env,
        cwd=PROJECT_ROOT,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    report = json.loads(completed.stdout.strip().splitlines()[-1])
    assert (report["status"], report["rows"]) == ("ok", ROWS + 1)  # + the country row
    assert report["python_peak_mb"] < 8, report  # Python never holds the file
    assert report["rss_growth_mb"] < DUCKDB_BUDGET_MB + SLACK_MB, report
