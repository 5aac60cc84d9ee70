"""Shared fixtures: every test gets its own warehouse and landing folder under tmp_path."""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
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
    """One offline `tradewatch build` for the whole run; tests only read from it.

    Under xdist the first worker to ask builds it once, under a file lock in the run's
    shared temp folder, and every worker gets its own copy (a build costs ~30 s of CPU, a
    copy well under a second); tests that write to a warehouse copy it again
    (tests/warehouse_copies.py)."""
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        return _build_offline(tmp_path_factory.mktemp("built"))
    shared = tmp_path_factory.getbasetemp().parent / "built"
    with (shared.parent / "built.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not (shared / BUILD_EXIT_CODE).exists():
            shared.mkdir()
            _build_offline(shared)
    root = tmp_path_factory.mktemp("built")
    shutil.copytree(shared, root, symlinks=True, dirs_exist_ok=True)
    return _check_build(root)


BUILD_EXIT_CODE = "build-exit-code.txt"


def _build_offline(root: Path) -> Settings:
    from typer.testing import CliRunner

    from ingest.cli import app

    with _offline_env(root):
        result = CliRunner().invoke(app, ["build"])
    (root / "build-output.txt").write_text(result.output)  # for tests of the summary
    (root / BUILD_EXIT_CODE).write_text(str(result.exit_code))
    return _check_build(root)


def _check_build(root: Path) -> Settings:
    output = (root / "build-output.txt").read_text()
    assert (root / BUILD_EXIT_CODE).read_text() == "0", output
    with _offline_env(root):
        return Settings.from_env()


@contextmanager
def _offline_env(root: Path) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TRADEWATCH_DB", str(root / "warehouse" / "tradewatch.duckdb"))
        patch.setenv("TRADEWATCH_LANDING", str(root / "landing"))
        patch.delenv("CENSUS_API_KEY", raising=False)
        patch.delenv("TRADEWATCH_DEALS_DIR", raising=False)  # the bundled register
        yield
