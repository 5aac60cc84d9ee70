"""Run the benchmark: every method in its own child process, several repetitions, one run.

    python -m bench.run            # full: 1M, 10M, 50M rows (make bench)
    python -m bench.run --quick    # smoke test: 100k rows, one repetition (make bench-quick)

Wall time is measured around the child; peak RSS is the child's own `ru_maxrss` from
`os.wait4` (the whole process: Python, DuckDB, GX, dbt). Ratios compare methods measured in
the same run only. Results go to bench/results/latest.json (quick runs: quick.json) and the
generated table in BENCHMARKS.md. The run fails only when a method fails or produces no
numbers; it never asserts a timing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import duckdb

from bench.generate import SIZES, ensure

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
WORK = ROOT / "bench" / "data" / "work"
BIN = Path(sys.executable).parent
LOAD_METHODS = ("floor", "floor_filtered", "tradewatch", "tradewatch_all", "polars_gx", "dlt_arrow")
FLOOR_OF = {
    "floor_filtered": "floor_filtered",
    "tradewatch": "floor_filtered",
    "tradewatch_all": "floor",
    "polars_gx": "floor",
    "dlt_arrow": "floor",
}
# the slow alternatives (minutes per run at 10M+ rows on 2 cores) run once above the
# smallest size: their distance from tradewatch is far larger than their run-to-run spread
SINGLE_RUN_ABOVE_SMALLEST = {"polars_gx", "dlt_arrow"}


class BenchError(RuntimeError):
    pass


def measure(
    command: list[str],
    *,
    env: dict[str, str] | None = None,
    log: Path,
    cwd: Path | None = None,
    drop: tuple[str, ...] = (),
) -> dict:
    """Wall seconds and peak RSS (MB) of one child process (and, for `make`, the largest of
    its descendants); its stdout's last line as JSON."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as out:
        started = time.perf_counter()
        child = subprocess.Popen(
            command,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={k: v for k, v in os.environ.items() if not k.startswith(drop)} | (env or {}),
            cwd=cwd,
        )
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    text = log.read_text(errors="replace")
    if child.returncode != 0:
        raise BenchError(f"{' '.join(command)} exited {child.returncode}:\n{text[-3000:]}")
    payload: dict = {}
    for line in reversed(text.strip().splitlines()):
        if line.startswith("{"):
            payload = json.loads(line)
            break
    cpu = usage.ru_utime + usage.ru_stime
    return {"wall_s": wall, "cpu_s": cpu, "peak_rss_mb": usage.ru_maxrss / 1024, **payload}


def _spread(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def _tradewatch_env(workdir: Path) -> dict[str, str]:
    return {
        "TRADEWATCH_DB": str(workdir / "tradewatch.duckdb"),
        "TRADEWATCH_LANDING": str(workdir / "landing"),
        "GX_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }


def _warehouse_counts(db_path: Path) -> tuple[int, int]:
    """Rows in raw_baci.trade_flows and expectation results recorded for them."""
    with duckdb.connect(str(db_path), read_only=True) as con:
        rows = con.execute("select count(*) from raw_baci.trade_flows").fetchone()[0]
        recorded = con.execute(
            "select count(*) from ops.data_quality_results where raw_table = 'raw_baci.trade_flows'"
        ).fetchone()[0]
    return int(rows), int(recorded)


def run_load(method: str, zip_path: Path, workdir: Path, log: Path) -> dict:
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    if method.startswith("tradewatch"):
        command = [str(BIN / "tradewatch"), "ingest", "baci", "--file", str(zip_path)]
        if method == "tradewatch_all":
            command.append("--all-products")
        result = measure(command, env=_tradewatch_env(workdir), log=log)
        rows, recorded = _warehouse_counts(workdir / "tradewatch.duckdb")
        if recorded == 0:
            raise BenchError(f"{method}: no expectation results recorded")
        return {**result, "rows": rows, "expectations_recorded": recorded}
    command = [sys.executable, "-m", "bench.methods", method, str(zip_path), str(workdir)]
    return measure(command, log=log)


def bench_loads(
    sizes: list[str],
    repetitions: int,
    logs: Path,
    save: Callable[[list[dict]], None],
    *,
    largest_repetitions: int | None = None,
    alternatives_up_to: str | None = None,
) -> tuple[list[dict], Path]:
    records: list[dict] = []
    heavy_db = WORK / "heavy" / "tradewatch.duckdb"
    for size in sizes:
        zip_path = ensure(size)
        for method in LOAD_METHODS:
            reps = repetitions
            if size == sizes[-1] and largest_repetitions:
                reps = largest_repetitions
            if len(sizes) > 1 and size != sizes[0] and method in SINGLE_RUN_ABOVE_SMALLEST:
                reps = 1
            if (
                alternatives_up_to
                and method in SINGLE_RUN_ABOVE_SMALLEST
                and SIZES[size] > SIZES[alternatives_up_to]
            ):
                continue
            runs = []
            for rep in range(reps):
                workdir = WORK / f"{method}"
                print(f"[bench] {size} {method} run {rep + 1}/{reps}", flush=True)
                runs.append(
                    run_load(method, zip_path, workdir, logs / f"{size}-{method}-{rep}.log")
                )
            if method == "tradewatch_all" and size == sizes[-1]:
                shutil.rmtree(heavy_db.parent, ignore_errors=True)
                shutil.copytree(WORK / method, heavy_db.parent)
            rows = {run["rows"] for run in runs}
            if len(rows) != 1 or 0 in rows:
                raise BenchError(f"{size} {method}: row counts {sorted(rows)}")
            records.append(_load_record(size, method, zip_path, runs))
            _ratios(records)
            save(records)
    return records, heavy_db


def _load_record(size: str, method: str, zip_path: Path, runs: list[dict]) -> dict:
    walls = [run["wall_s"] for run in runs]
    rss = [run["peak_rss_mb"] for run in runs]
    rows = runs[0]["rows"]
    extra = {
        key: value
        for key, value in runs[0].items()
        if key not in ("wall_s", "cpu_s", "peak_rss_mb", "rows")
    }
    return {
        "size": size,
        "method": method,
        "file": zip_path.name,
        "file_mb": round(zip_path.stat().st_size / 1e6, 1),
        "input_rows": SIZES[size],
        "rows": rows,
        "repetitions": len(runs),
        "wall_s": _spread(walls),
        "cpu_s": _spread([run["cpu_s"] for run in runs]),
        "peak_rss_mb": _spread(rss),
        "rows_per_s": SIZES[size] / statistics.median(walls),  # file rows read per second
        **extra,
    }


def _ratios(records: list[dict]) -> None:
    medians = {(r["size"], r["method"]): r["wall_s"]["median"] for r in records}
    cpu = {(r["size"], r["method"]): r["cpu_s"]["median"] for r in records}
    for record in records:
        floor = FLOOR_OF.get(record["method"], "floor")
        base = medians.get((record["size"], floor))
        record["floor"] = floor
        record["ratio_to_floor"] = record["wall_s"]["median"] / base if base else None
        cpu_base = cpu.get((record["size"], floor))
        record["cpu_ratio_to_floor"] = record["cpu_s"]["median"] / cpu_base if cpu_base else None


def bench_fresh_clone(logs: Path) -> dict:
    """`make build` in a fresh clone of this checkout's HEAD: a new virtualenv, the pinned
    install (uv, served from its package cache as on any machine that installed once), then
    the offline build. Uncommitted changes are not in the clone."""
    clone = WORK / "clone"
    shutil.rmtree(clone, ignore_errors=True)
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=clone, capture_output=True, text=True
    ).stdout.strip()
    print(f"[bench] make build in a fresh clone of {commit}", flush=True)
    run = measure(
        ["make", "build"],
        log=logs / "fresh-clone-make-build.log",
        cwd=clone,
        drop=("TRADEWATCH_", "VIRTUAL_ENV"),  # the clone's own defaults, as for a new user
    )
    shutil.rmtree(clone, ignore_errors=True)
    return {"method": "fresh_clone_make_build", "repetitions": 1, "commit": commit,
            **_dbt_spread([run])}  # fmt: skip


def bench_dbt(repetitions: int, logs: Path, *, quick: bool = False) -> tuple[list[dict], Path]:
    """A built offline warehouse; then `tradewatch transform` and a no-op `tradewatch build`
    (the smoke test skips `transform`: the first build has run the same dbt project)."""
    workdir = WORK / "dbt"
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    env = _tradewatch_env(workdir)
    tradewatch = str(BIN / "tradewatch")
    print("[bench] dbt: first build (set-up, timed once)", flush=True)
    first = measure([tradewatch, "build"], env=env, log=logs / "dbt-first-build.log")
    records = [{"method": "first_build", "repetitions": 1, **_dbt_spread([first])}]
    steps = [("transform", [tradewatch, "transform"]), ("noop_build", [tradewatch, "build"])]
    for name, command in steps[1:] if quick else steps:
        runs = []
        for rep in range(repetitions):
            print(f"[bench] dbt: {name} run {rep + 1}/{repetitions}", flush=True)
            runs.append(measure(command, env=env, log=logs / f"dbt-{name}-{rep}.log"))
        records.append({"method": name, "repetitions": repetitions, **_dbt_spread(runs)})
    return records, workdir / "tradewatch.duckdb"


def _dbt_spread(runs: list[dict]) -> dict:
    return {
        "wall_s": _spread([run["wall_s"] for run in runs]),
        "cpu_s": _spread([run["cpu_s"] for run in runs]),
        "peak_rss_mb": _spread([run["peak_rss_mb"] for run in runs]),
    }


STARTUP_QUERY = "select count(*) as countries from marts.countries"
BARE_DUCKDB = (
    "import sys, duckdb; duckdb.connect(sys.argv[1], read_only=True).sql(sys.argv[2]).fetchall()"
)


def bench_query_startup(workdir: Path, runs: int, logs: Path) -> dict:
    """A small query on the published copy through the installed `tradewatch query` against
    bare DuckDB in a `python -c` doing the same on the same copy: the CLI's start-up cost as
    a ratio of medians. Runs alternate; a first untimed round warms the page cache."""
    published = workdir / "published" / "tradewatch.duckdb"
    commands = {
        # the default output (a table; piped, it prints plain text), as an analyst runs it
        "tradewatch_query": [str(BIN / "tradewatch"), "query", STARTUP_QUERY],
        "bare_duckdb": [sys.executable, "-c", BARE_DUCKDB, str(published), STARTUP_QUERY],
    }
    walls: dict[str, list[float]] = {name: [] for name in commands}
    print(f"[bench] query start-up: {runs} runs each", flush=True)
    for rep in range(runs + 1):
        for name, command in commands.items():
            run = measure(command, env=_tradewatch_env(workdir), log=logs / f"startup-{name}.log")
            if rep:
                walls[name].append(run["wall_s"])
    ratio = statistics.median(walls["tradewatch_query"]) / statistics.median(walls["bare_duckdb"])
    return {
        "query": STARTUP_QUERY,
        "runs": runs,
        "tradewatch_query_s": _spread(walls["tradewatch_query"]),
        "bare_duckdb_s": _spread(walls["bare_duckdb"]),
        "ratio": ratio,
    }


def bench_queries(db_path: Path, runs: int, logs: Path, name: str) -> dict:
    print(f"[bench] queries on {name}", flush=True)
    command = [sys.executable, "-m", "bench.methods", "queries", str(db_path), str(WORK), str(runs)]
    result = measure(command, log=logs / f"queries-{name}.log")
    return {"database": name, "rows_returned": result["rows"], "queries": result["queries"]}


def machine() -> dict:
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    total_kb = int(next(line for line in meminfo if line.startswith("MemTotal")).split()[1])
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown",
    )
    versions = {}
    for package in ("duckdb", "polars", "great-expectations", "dbt-core", "dbt-duckdb", "dlt"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return {
        "nproc": os.cpu_count(),
        "ram_gb": round(total_kb / 1024 / 1024, 1),
        "cpu": cpu,
        "os": platform.platform(),
        "python": platform.python_version(),
        "versions": versions,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="tradewatch benchmarks")
    parser.add_argument("--quick", action="store_true", help="100k rows, one repetition")
    parser.add_argument("--sizes", nargs="*", help="override the sizes (1m 10m 50m)")
    parser.add_argument("--repetitions", type=int)
    parser.add_argument("--dbt-repetitions", type=int)
    parser.add_argument("--largest-repetitions", type=int, help="repetitions at the largest size")
    parser.add_argument("--alternatives-up-to", help="run polars_gx and dlt only up to this size")
    parser.add_argument("--part", choices=["all", "loads", "dbt"], default="all")
    args = parser.parse_args()
    sizes = args.sizes or (["100k"] if args.quick else ["1m", "10m", "50m"])
    repetitions = args.repetitions or (1 if args.quick else 3)
    query_runs = 3 if args.quick else 20
    dbt_repetitions = args.dbt_repetitions or (1 if args.quick else 2)
    logs = WORK / "logs"
    started = time.time()
    result: dict = {
        "mode": "quick" if args.quick else "full",
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "load_average_at_start": os.getloadavg(),
    }
    name = "quick" if args.quick else "latest"
    target = RESULTS / (f"{name}.json" if args.part != "dbt" else f"{name}-dbt.json")

    def save(partial: dict | None = None) -> None:
        result.update(partial or {})
        result["load_average_at_end"] = os.getloadavg()
        result["total_s"] = round(time.time() - started, 1)
        RESULTS.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(result, indent=2) + "\n")

    result |= {"complete": False, "loads": [], "dbt": [], "queries": []}
    if args.part in ("all", "loads"):
        _, heavy_db = bench_loads(
            sizes,
            repetitions,
            logs,
            lambda rows: save({"loads": rows}),
            largest_repetitions=args.largest_repetitions,
            alternatives_up_to=args.alternatives_up_to,
        )
        heavy = bench_queries(heavy_db, query_runs, logs, f"raw_baci.trade_flows ({sizes[-1]})")
        save({"queries": [heavy]})
    if args.part in ("all", "dbt"):
        dbt, marts_db = bench_dbt(dbt_repetitions, logs, quick=args.quick)
        save({"dbt": dbt})
        if not args.quick:
            save({"dbt": [*dbt, bench_fresh_clone(logs)]})
        marts = bench_queries(marts_db, query_runs, logs, "marts (offline build)")
        save({"queries": [marts, *result["queries"]]})
        save({"startup": bench_query_startup(marts_db.parent, 5 if args.quick else 20, logs)})
    save({"complete": True})
    print(f"[bench] wrote {target.relative_to(ROOT)} in {result['total_s']} s", flush=True)
    if args.part != "all":
        return
    if not args.quick:
        from bench.report import write_benchmarks

        write_benchmarks(result)
        print("[bench] updated BENCHMARKS.md", flush=True)
    else:
        from bench.report import render

        print(render(result))


if __name__ == "__main__":
    main()
