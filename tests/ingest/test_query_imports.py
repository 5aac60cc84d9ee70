"""`tradewatch query` imports only what it uses: not the load path's polars, httpx, Great
Expectations or dbt (they cost most of a second of start-up for every query), nor the
pydantic that typer would use to read its text arguments (ingest/cli/plain_params.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

HEAVY = (
    "polars", "httpx", "great_expectations", "dbt", "matplotlib", "pyarrow", "pandas", "pydantic"
)  # fmt: skip

RUN_QUERY = """
import json, sys
from ingest.cli import app
try:
    app(["query", sys.argv[1], *sys.argv[2:]], prog_name="tradewatch")
except SystemExit as stop:
    code = stop.code
loaded = sorted({name.split(".")[0] for name in sys.modules})
print(json.dumps({"code": code, "loaded": loaded}), file=sys.stderr)
"""


@pytest.fixture
def published(tmp_path: Path) -> dict[str, str]:
    copy = tmp_path / "warehouse" / "published" / "tradewatch.duckdb"
    copy.parent.mkdir(parents=True)
    with duckdb.connect(str(copy)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.countries as select 'TUR' as iso3, 1.5 as share")
    return {**os.environ, "TRADEWATCH_DB": str(tmp_path / "warehouse" / "tradewatch.duckdb")}


@pytest.mark.parametrize("output", ["table", "json", "csv"])
def test_a_query_imports_no_load_path_library(published: dict[str, str], output: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", RUN_QUERY, "from marts.countries", "--format", output],
        env=published,
        capture_output=True,
        text=True,
        timeout=120,
    )
    report = json.loads(result.stderr.strip().splitlines()[-1])
    assert report["code"] in (0, None), result.stderr
    assert "TUR" in result.stdout
    assert [name for name in HEAVY if name in report["loaded"]] == []
