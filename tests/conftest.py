"""Shared fixtures: every test gets its own warehouse and landing folder under tmp_path."""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from xdist.remote import Producer

from ingest.settings import PROJECT_ROOT, Settings
from tests.scheduling import LongestFirstScheduling, record_duration

FIXTURES = Path(__file__).parent / "fixtures"

# no test may phone home: dbt and GX usage tracking off for the whole session
os.environ["GX_ANALYTICS_ENABLED"] = "false"
os.environ["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
os.environ["DO_NOT_TRACK"] = "1"


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(
    config: pytest.Config, log: Producer
) -> LongestFirstScheduling | None:
    """`-n N` (xdist's `load`): the longest tests first, module fixtures made once
    (tests/scheduling.py); other `--dist` modes as xdist does them."""
    if config.getoption("dist") != "load":
        return None
    return LongestFirstScheduling(config, log)


_SECONDS: dict[str, float] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    _SECONDS[report.nodeid] = _SECONDS.get(report.nodeid, 0.0) + report.duration


def pytest_sessionfinish(session: pytest.Session) -> None:
    if not hasattr(session.config, "workerinput"):  # the controller, or a run without xdist
        record_duration(session.config, _SECONDS)


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
    """One offline `tradewatch build` per version of the code and data; tests only read it.

    The build is kept in the system temp folder under a fingerprint of everything it is made
    from (`build_fingerprint`): the first process to ask builds it under a file lock, and
    every other xdist worker, and every later run with the same fingerprint, reuses it. Each
    worker gets its own copy (a build costs ~30-60 s of CPU, a copy well under a second);
    tests that write to a warehouse copy it again (tests/warehouse_copies.py)."""
    root = tmp_path_factory.mktemp("built")
    shutil.copytree(_cached_build(), root, symlinks=True, dirs_exist_ok=True)
    return _check_build(root)


BUILD_EXIT_CODE = "build-exit-code.txt"
BUILD_CACHE = Path(tempfile.gettempdir()) / "tradewatch-test-builds"
# what an offline build is made from; dbt's and GX's own output folders are not
BUILD_INPUTS = ("ingest", "dbt_project", "expectations", "pyproject.toml", "requirements.lock")
NOT_BUILD_INPUTS = {"__pycache__", "target", "logs", "dbt_packages", "uncommitted"}


def build_fingerprint() -> str:
    """sha256 of the build's inputs: every file under BUILD_INPUTS (path and bytes), this
    conftest (how the build is made), the TRADEWATCH_* settings, Python and DuckDB versions
    and today's UTC date (a build records when it ran; a cached one is at most a day old)."""
    digest = hashlib.sha256()
    for name in BUILD_INPUTS:
        top = PROJECT_ROOT / name
        files = [top] if top.is_file() else sorted(top.rglob("*"))
        for path in files:
            relative = path.relative_to(PROJECT_ROOT)
            if path.is_file() and not NOT_BUILD_INPUTS.intersection(relative.parts):
                digest.update(f"{relative}\0".encode() + path.read_bytes() + b"\0")
    digest.update(Path(__file__).read_bytes())
    settings = sorted((k, v) for k, v in os.environ.items() if k.startswith("TRADEWATCH_"))
    facts = [settings, sys.version, duckdb.__version__, datetime.now(UTC).date().isoformat()]
    digest.update(repr(facts).encode())
    return digest.hexdigest()[:20]


def _cached_build() -> Path:
    """The build for this fingerprint, made now if no process has made it yet. It is built
    in a scratch folder and renamed into place only when it succeeded, so a failed or killed
    build is never reused."""
    BUILD_CACHE.mkdir(exist_ok=True)
    cached = BUILD_CACHE / build_fingerprint()
    with (BUILD_CACHE / f"{cached.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not (cached / BUILD_EXIT_CODE).exists():
            scratch = Path(tempfile.mkdtemp(prefix=f"{cached.name}-", dir=BUILD_CACHE))
            try:
                _build_offline(scratch)  # raises when the build fails
            except BaseException:
                shutil.rmtree(scratch, ignore_errors=True)
                raise
            scratch.rename(cached)
    _prune_build_cache(keep=cached)
    return cached


def _prune_build_cache(keep: Path) -> None:
    """Builds of other fingerprints older than two days: no current run still reads them."""
    old = time.time() - 2 * 86400
    for entry in BUILD_CACHE.iterdir():
        if entry.name.split(".")[0] == keep.name or entry.stat().st_mtime >= old:
            continue
        if entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)


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
