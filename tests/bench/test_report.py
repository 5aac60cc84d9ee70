"""The generated target table says met / not met from the run's own figures."""

from __future__ import annotations

from bench.report import render, targets


def _spread(value: float) -> dict[str, float]:
    return {"median": value, "min": value, "max": value}


def _load(size: str, method: str, rows: int, wall: float, ratio: float | None) -> dict:
    return {
        "size": size, "method": method, "rows": rows, "repetitions": 1,
        "wall_s": _spread(wall), "cpu_s": _spread(wall), "peak_rss_mb": _spread(900.0),
        "ratio_to_floor": ratio, "cpu_ratio_to_floor": ratio,
    }  # fmt: skip


def _result() -> dict:
    return {
        "mode": "full", "started_at": "2026-11-27T12:00:00+00:00", "total_s": 1.0,
        "machine": {"nproc": 2, "cpu": "x", "ram_gb": 1, "os": "y", "python": "3.11",
                    "versions": {}},
        "load_average_at_start": [0, 0, 0], "load_average_at_end": [0, 0, 0],
        "loads": [
            _load("10m", "floor", 10_000_000, 10.0, 1.0),
            _load("10m", "floor_filtered", 20_000, 6.0, 1.0),
            _load("10m", "tradewatch", 20_000, 8.0, 8 / 6),
            _load("10m", "tradewatch_all", 10_000_000, 19.0, 1.9),
            _load("10m", "polars_gx", 10_000_000, 50.0, 5.0),
            _load("10m", "dlt_arrow", 10_000_000, 18.0, 1.8),
        ],
        "dbt": [
            {"method": "noop_build", "repetitions": 2, "wall_s": _spread(6.0),
             "cpu_s": _spread(3.0), "peak_rss_mb": _spread(150.0)},
            {"method": "fresh_clone_make_build", "repetitions": 1, "wall_s": _spread(200.0),
             "cpu_s": _spread(90.0), "peak_rss_mb": _spread(600.0)},
        ],
        "queries": [
            {"database": "marts (offline build)", "rows_returned": 3,
             "queries": {"goal_progress": {"runs": 20, "rows": 3, "p50_ms": 2.0, "p95_ms": 3.0}}},
            {"database": "raw_baci.trade_flows (10m)", "rows_returned": 5,
             "queries": {"heavy": {"runs": 20, "rows": 5, "p50_ms": 800.0, "p95_ms": 1200.0}}},
        ],
    }  # fmt: skip


def test_targets_read_the_run_figures() -> None:
    met = {name: verdict for name, _, verdict in targets(_result())}
    assert met == {
        "all products, 10,000,000 rows: ≤ 2× floor": True,
        "all products, 10,000,000 rows: peak RSS ≤ 1.5 GB": True,
        "basket filter, 10,000,000 rows: ≤ 1.5× filtered floor": True,
        "10,000,000 rows: tradewatch --all-products ≥ 3× faster than "
        "polars → GX (pandas) → DuckDB": False,
        "10,000,000 rows: tradewatch --all-products ≥ 1× faster than dlt (Arrow → duckdb)": False,
        "no-op `tradewatch build` ≤ 10 s": True,
        "`make build` on a fresh clone, install included, ≤ 3 min": False,
        "analyst mart queries p95 ≤ 100 ms": True,
        "heavy queries on 10,000,000 rows ≤ 1 s": False,
    }


def test_render_shows_every_step_and_verdict() -> None:
    text = render(_result())
    assert "| fresh_clone_make_build | 1 | 200.00 (200.00–200.00) | 90.0 | 600 |" in text
    assert "| `make build` on a fresh clone, install included, ≤ 3 min | 200 s | no |" in text


def test_query_startup_ratio_is_a_target_and_a_table() -> None:
    result = _result() | {
        "startup": {
            "query": "select 1",
            "runs": 5,
            "tradewatch_query_s": _spread(0.3),
            "bare_duckdb_s": _spread(0.15),
            "ratio": 2.0,
        }
    }
    met = {name: verdict for name, _, verdict in targets(result)}
    assert met["`tradewatch query` small query ≤ 1.5× bare DuckDB in Python"] is False
    text = render(result)
    assert "| `tradewatch query` (installed CLI) | 0.300 (0.300–0.300) |" in text
    assert "| ratio of medians | 2.00× |" in text
    assert "| `tradewatch query` small query ≤ 1.5× bare DuckDB in Python | 2.00× | no |" in text
