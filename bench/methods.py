"""One benchmark method per call, run by `bench.run` in its own child process.

`python -m bench.methods METHOD ZIP WORKDIR` loads the release zip one way into a fresh DuckDB
file under WORKDIR and prints one JSON line (`{"rows": n, ...}`); the parent measures wall
time and peak RSS of the whole child. Every method starts from the same zip.
"""

from __future__ import annotations

import json
import shutil
import statistics
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

from ingest.basket import basket_codes  # standard library only: nothing billed to the floor

TRADE_COLUMNS = {
    "t": "INTEGER",
    "i": "VARCHAR",
    "j": "VARCHAR",
    "k": "VARCHAR",
    "v": "DOUBLE",
    "q": "DOUBLE",
}
COPY_BLOCK = 1024 * 1024


def _members(zip_path: Path) -> list[str]:
    with zipfile.ZipFile(zip_path) as archive:
        return sorted(name for name in archive.namelist() if name.startswith("BACI_"))


def _extracted(zip_path: Path, workdir: Path) -> Iterator[Path]:
    """Each year member streamed to a CSV next to the database, removed after use."""
    with zipfile.ZipFile(zip_path) as archive:
        for member in _members(zip_path):
            target = workdir / member
            with archive.open(member) as reader, open(target, "wb") as writer:
                shutil.copyfileobj(reader, writer, COPY_BLOCK)
            try:
                yield target
            finally:
                target.unlink()


def floor(zip_path: Path, workdir: Path, *, filtered: bool = False) -> dict[str, object]:
    """DuckDB alone: unzip each member, `read_csv` it (explicit column types, the raw
    table's) and insert it into a table in a DuckDB file; optionally only basket rows."""
    import duckdb

    columns = "{" + ", ".join(f"'{name}': '{kind}'" for name, kind in TRADE_COLUMNS.items()) + "}"
    where = ""
    if filtered:
        where = "where k in (" + ", ".join(f"'{code}'" for code in basket_codes()) + ")"
    con = duckdb.connect(str(workdir / "floor.duckdb"))
    con.execute(
        "create table trade_flows (t integer, i varchar, j varchar, k varchar, v double, q double)"
    )
    for csv in _extracted(zip_path, workdir):
        con.execute(
            f"insert into trade_flows select * from read_csv('{csv}', header = true, "
            f"auto_detect = false, delim = ',', columns = {columns}) {where}"
        )
    rows = con.execute("select count(*) from trade_flows").fetchone()[0]
    con.close()
    return {"rows": rows}


def polars_gx(zip_path: Path, workdir: Path) -> dict[str, object]:
    """The naive validated path: polars reads each member, Great Expectations validates the
    whole frame as pandas with tradewatch's own suite, DuckDB stores it from Arrow."""
    import duckdb
    import polars as pl

    from ingest.quality import validate_frame

    schema = {"t": pl.Int32, "i": pl.String, "j": pl.String, "k": pl.String}
    schema |= {"v": pl.Float64, "q": pl.Float64}
    con = duckdb.connect(str(workdir / "polars_gx.duckdb"))
    rows, failed = 0, 0
    with zipfile.ZipFile(zip_path) as archive:
        for member in _members(zip_path):
            with archive.open(member) as reader:
                frame = pl.read_csv(reader.read(), schema=schema)
            parts = member.removesuffix(".csv").split("_")
            frame = frame.select(
                pl.lit(parts[3]).alias("vintage"), pl.lit(parts[1]).alias("hs_revision"), pl.all()
            )
            report = validate_frame(frame, "raw_baci.trade_flows")
            failed += report.failed
            arrow = frame.to_arrow()
            if rows == 0:
                con.execute("create table trade_flows as select * from arrow")
            else:
                con.execute("insert into trade_flows select * from arrow")
            rows += frame.height
            del frame, arrow
    con.close()
    return {"rows": rows, "failed_expectations": failed}


def dlt_arrow(zip_path: Path, workdir: Path) -> dict[str, object]:
    """dlt, duckdb destination, Arrow input (no validation beyond dlt's schema)."""
    import dlt
    import polars as pl

    schema = {"t": pl.Int32, "i": pl.String, "j": pl.String, "k": pl.String}
    schema |= {"v": pl.Float64, "q": pl.Float64}

    def batches() -> Iterator[object]:
        with zipfile.ZipFile(zip_path) as archive:
            for member in _members(zip_path):
                with archive.open(member) as reader:
                    frame = pl.read_csv(reader.read(), schema=schema)
                for start in range(0, frame.height, 1_000_000):
                    yield frame.slice(start, 1_000_000).to_arrow()

    pipeline = dlt.pipeline(
        pipeline_name="bench_baci",
        destination=dlt.destinations.duckdb(str(workdir / "dlt.duckdb")),
        dataset_name="raw_baci",
        pipelines_dir=str(workdir / "dlt_pipelines"),
    )
    info = pipeline.run(dlt.resource(batches, name="trade_flows"), write_disposition="replace")
    info.raise_on_failed_jobs()
    import duckdb

    con = duckdb.connect(str(workdir / "dlt.duckdb"), read_only=True)
    rows = con.execute("select count(*) from raw_baci.trade_flows").fetchone()[0]
    con.close()
    return {"rows": rows}


def _timings(con: object, sql: str, runs: int) -> dict[str, float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        con.execute(sql).fetchall()  # type: ignore[attr-defined]
        times.append(time.perf_counter() - started)
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50_ms": statistics.median(times) * 1000, "p95_ms": p95 * 1000, "runs": runs}


def queries(db_path: Path, workdir: Path, *, runs: int = 20) -> dict[str, object]:
    """p50/p95 of the analyst queries (marts) or the heavy queries (raw flows) on a warehouse."""
    import duckdb

    from bench.queries import ANALYST, HEAVY

    con = duckdb.connect(str(db_path), read_only=True)
    tables = {row[0] for row in con.execute("select schema_name from duckdb_tables()").fetchall()}
    chosen = ANALYST if "marts" in tables else HEAVY
    result = {}
    for name, sql in chosen.items():
        # rows returned are recorded: a query that returns nothing times an empty scan,
        # which the report must show
        result[name] = {**_timings(con, sql, runs), "rows": len(con.execute(sql).fetchall())}
    con.close()
    return {"rows": sum(timing["rows"] for timing in result.values()), "queries": result}


def main() -> None:
    method, target, workdir = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    runs = int(sys.argv[4]) if len(sys.argv) > 4 else 20
    workdir.mkdir(parents=True, exist_ok=True)
    if method == "floor":
        result = floor(target, workdir)
    elif method == "floor_filtered":
        result = floor(target, workdir, filtered=True)
    elif method == "polars_gx":
        result = polars_gx(target, workdir)
    elif method == "dlt_arrow":
        result = dlt_arrow(target, workdir)
    elif method == "queries":
        result = queries(target, workdir, runs=runs)
    else:
        raise SystemExit(f"unknown method {method}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
