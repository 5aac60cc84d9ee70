"""Shared fixtures: every test gets its own warehouse and landing folder under tmp_path."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ingest.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures"

# no test may phone home: dbt and GX usage tracking off for the whole session
os.environ["GX_ANALYTICS_ENABLED"] = "false"
os.environ["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
os.environ["DO_NOT_TRACK"] = "1"


def fixture_path(source: str, name: str) -> Path:
    return FIXTURES / source / name


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings for a throwaway warehouse; also exported so the CLI and dbt see it."""
    db_path = tmp_path / "warehouse" / "tradewatch.duckdb"
    landing = tmp_path / "landing"
    monkeypatch.setenv("TRADEWATCH_DB", str(db_path))
    monkeypatch.setenv("TRADEWATCH_LANDING", str(landing))
    monkeypatch.delenv("CENSUS_API_KEY", raising=False)
    monkeypatch.delenv("TRADEWATCH_DEALS_DIR", raising=False)
    return Settings.from_env()


@pytest.fixture(scope="session")
def built_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """One offline `tradewatch build` for the whole session; tests only read from it."""
    from typer.testing import CliRunner

    from ingest.cli import app

    root = tmp_path_factory.mktemp("built")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TRADEWATCH_DB", str(root / "warehouse" / "tradewatch.duckdb"))
        patch.setenv("TRADEWATCH_LANDING", str(root / "landing"))
        patch.delenv("CENSUS_API_KEY", raising=False)
        patch.delenv("TRADEWATCH_DEALS_DIR", raising=False)  # the bundled register
        result = CliRunner().invoke(app, ["build"])
        (root / "build-output.txt").write_text(result.output)  # for tests of the summary
        assert result.exit_code == 0, result.output
        return Settings.from_env()
