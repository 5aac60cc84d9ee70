"""`tradewatch docs`: the dbt docs site is generated, and served on 127.0.0.1 only."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from ingest import dbt_docs
from ingest.cli import app
from ingest.settings import Settings
from tests.warehouse_copies import copy_built, settings_env


def test_docs_generate_then_serve_on_loopback(
    built_warehouse: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = copy_built(built_warehouse, tmp_path)
    for key, value in settings_env(settings).items():
        monkeypatch.setenv(key, value)
    build_results = settings.db_path.parent / "dbt" / "target" / "run_results.json"
    before = build_results.read_bytes()

    result = CliRunner().invoke(app, ["docs", "--no-serve"])

    assert result.exit_code == 0, result.output
    folder = settings.db_path.parent / "dbt" / "target-docs"
    catalog = json.loads((folder / "catalog.json").read_text())
    assert "model.tradewatch.trade_goal_progress" in catalog["nodes"]
    columns = catalog["nodes"]["model.tradewatch.trade_goal_progress"]["columns"]
    assert "pct_of_goal" in columns
    assert (folder / "static_index.html").stat().st_size > 100_000
    assert build_results.read_bytes() == before  # publish still reads the build's results

    site = dbt_docs.DocsSite(folder, folder / "index.html", folder / "static_index.html")
    server = dbt_docs.make_server(site, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        assert host == "127.0.0.1"
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            page = client.get("/")
            assert page.status_code == 200 and "dbt" in page.text.lower()
            served = client.get("/manifest.json").json()
            assert "model.tradewatch.us_turkey_trade_monthly" in served["nodes"]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_docs_without_a_warehouse_says_so(settings: Settings) -> None:
    result = CliRunner().invoke(app, ["docs", "--no-serve"])
    assert result.exit_code == 1
    assert "no warehouse yet" in result.output
