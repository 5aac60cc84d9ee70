"""The lake tests need a PostgreSQL server and the lake environment (`make test-lake`).

A server comes from TRADEWATCH_TEST_PG_DSN (`.ci/run` starts one), else this session starts a
throw-away cluster with `.ci/pg-cluster` when Debian's postgresql package is installed.
Without either: a skip naming the install command, and a failure under CI=true.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ingest.settings import PROJECT_ROOT

LAKE_BIN = Path(sys.executable).parent
PG_CLUSTER = PROJECT_ROOT / ".ci" / "pg-cluster"
INSTALL_POSTGRES = "apt-get install -y postgresql (Debian), or set TRADEWATCH_TEST_PG_DSN"


def missing(reason: str) -> None:
    """Outside CI a skip that says what to install; under CI=true a failure."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason, allow_module_level=True)


def require(module: str) -> Any:
    """A module of the lake environment, imported at a test module's top."""
    try:
        return importlib.import_module(module)
    except ImportError:
        missing(f"the lake tests need {module}: run them with make test-lake")


@pytest.fixture(scope="session")
def pg_dsn() -> Iterator[str]:
    """An administrator DSN of a PostgreSQL server on this machine."""
    try:
        import duckdb_extension_ducklake  # noqa: F401
        import psycopg  # noqa: F401
    except ImportError:
        missing("the lake tests run in the lake environment: make test-lake")
    given = os.environ.get("TRADEWATCH_TEST_PG_DSN")
    if given:
        yield given
        return
    if not list(Path("/usr/lib/postgresql").glob("*/bin/initdb")):
        missing(f"no PostgreSQL server for the lake tests: {INSTALL_POSTGRES}")
    folder = Path(tempfile.mkdtemp(prefix="tradewatch-pg-"))
    started = subprocess.run(
        ["bash", str(PG_CLUSTER), "start", str(folder)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    dsn = started.stdout.strip().split("=", 1)[1].strip("'")
    try:
        yield dsn
    finally:
        subprocess.run(["bash", str(PG_CLUSTER), "stop", str(folder)], timeout=120, check=False)


def new_database(admin_dsn: str, prefix: str) -> str:
    """A fresh, empty database; its DSN."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_dsn, autocommit=True) as pg:
        pg.execute(f'create database "{name}"')
    parts = conninfo_to_dict(admin_dsn)
    parts["dbname"] = name
    return make_conninfo(**parts)


@dataclass(frozen=True)
class Lake:
    root: Path
    catalog_dsn: str
    env: dict[str, str]

    def tradewatch(
        self, *args: str, timeout: float = 900, **extra: str
    ) -> subprocess.CompletedProcess:
        """`tradewatch ARGS --target lake` in a process of its own, like a scheduled writer."""
        return subprocess.run(
            [str(LAKE_BIN / "tradewatch"), *args],
            env={**self.env, **extra},
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=PROJECT_ROOT,
        )

    def popen(self, *args: str, **extra: str) -> subprocess.Popen:
        return subprocess.Popen(
            [str(LAKE_BIN / "tradewatch"), *args],
            env={**self.env, **extra},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=PROJECT_ROOT,
        )

    def connect(self, *, read_only: bool = True):  # type: ignore[no-untyped-def]
        """The lake, opened as any reader would (this process's DuckDB)."""
        from ingest import lake

        target = lake.LakeTarget(
            catalog="postgres:" + self.catalog_dsn, data_path=self.env["TRADEWATCH_LAKE_DATA_PATH"]
        )
        return lake.connect(target, read_only=read_only)


def partition_columns(catalog_dsn: str, table: str) -> int:
    """How many partition columns the lake's current `table` declares (its catalog)."""
    import psycopg

    with psycopg.connect(catalog_dsn) as pg:
        return pg.execute(
            "select count(*) from ducklake_partition_column c join ducklake_partition_info p "
            "using (partition_id, table_id) join ducklake_table t using (table_id) "
            "where t.table_name = %s and t.end_snapshot is null and p.end_snapshot is null",
            [table],
        ).fetchone()[0]


def clean_env(root: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("TRADEWATCH_") and key != "VIRTUAL_ENV"
    }
    env.update(
        TRADEWATCH_DB=str(root / "warehouse" / "tradewatch.duckdb"),
        TRADEWATCH_LANDING=str(root / "landing"),
        GX_ANALYTICS_ENABLED="false",
        DO_NOT_TRACK="1",
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    return env


def make_lake(admin_dsn: str, root: Path) -> Lake:
    catalog = new_database(admin_dsn, "lake")
    env = clean_env(root)
    env.update(
        TRADEWATCH_TARGET="lake",
        TRADEWATCH_LAKE_CATALOG="postgres:" + catalog,
        TRADEWATCH_LAKE_DATA_PATH=str(root / "lake-data") + "/",
    )
    return Lake(root=root, catalog_dsn=catalog, env=env)


@pytest.fixture
def fresh_lake(pg_dsn: str, tmp_path: Path) -> Lake:
    """An empty lake: its own catalog database and data folder."""
    return make_lake(pg_dsn, tmp_path)


@pytest.fixture(scope="session")
def built_lake(pg_dsn: str, tmp_path_factory: pytest.TempPathFactory) -> Lake:
    """One offline `tradewatch build --target lake` for the session."""
    built = make_lake(pg_dsn, tmp_path_factory.mktemp("lake"))
    result = built.tradewatch("build", "--target", "lake")
    assert result.returncode == 0, result.stdout + result.stderr
    return built


def embedded_build(tradewatch: Path, root: Path) -> Path:
    """An offline embedded `tradewatch build`; its marts as Parquet (the published copy)."""
    result = subprocess.run(
        [str(tradewatch), "build"],
        env=clean_env(root),
        capture_output=True,
        text=True,
        timeout=1200,
        cwd=PROJECT_ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    folder = root / "warehouse" / "published" / "parquet"
    assert any(folder.glob("*.parquet")), f"no Parquet marts in {folder}"
    return folder


@pytest.fixture(scope="session")
def embedded_parquet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The embedded build of the lake environment's DuckDB: the same engine as the lake."""
    root = tmp_path_factory.mktemp("embedded")
    result = subprocess.run(
        [sys.executable, "-m", "tests.lake.embedded_export", str(root / "parquet")],
        env=clean_env(root),
        capture_output=True,
        text=True,
        timeout=1200,
        cwd=PROJECT_ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return root / "parquet"


@pytest.fixture(scope="session")
def default_parquet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The embedded build of the default environment (`make build`'s .venv), whose DuckDB
    release the lake's DuckDB may not open: compared through its Parquet files."""
    main_tradewatch = PROJECT_ROOT / ".venv" / "bin" / "tradewatch"
    if not main_tradewatch.exists():
        missing("the comparison with the default build needs the main environment: make install")
    return embedded_build(main_tradewatch, tmp_path_factory.mktemp("default"))
