"""Helpers for tests that need a warehouse of their own: a copy of the session build.

Copying the session's `built_warehouse` (about 12 MB) is much cheaper than a second build,
and keeps the shared one read-only.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from ingest.settings import Settings

CLI = "from ingest.cli import app; app(prog_name='tradewatch')"


def copy_built(built: Settings, root: Path) -> Settings:
    """The built warehouse, its published copy and its dbt artifacts, under `root`."""
    source_dir = built.db_path.parent
    target_dir = root / "warehouse"
    target_dir.mkdir(parents=True)
    shutil.copy2(built.db_path, target_dir / built.db_path.name)
    if built.published_dir.exists():
        shutil.copytree(built.published_dir, target_dir / "published", symlinks=True)
    if (source_dir / "dbt").exists():
        shutil.copytree(source_dir / "dbt", target_dir / "dbt", symlinks=True)
    return Settings.from_env(environment(target_dir / built.db_path.name, root / "landing"))


def environment(db_path: Path, landing: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "CENSUS_API_KEY"}
    env.update(
        TRADEWATCH_DB=str(db_path),
        TRADEWATCH_LANDING=str(landing),
        GX_ANALYTICS_ENABLED="false",
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        DO_NOT_TRACK="1",
    )
    return env


def settings_env(settings: Settings) -> dict[str, str]:
    return environment(settings.db_path, settings.landing_dir)


def tradewatch(*args: str) -> list[str]:
    """The CLI as a separate process, with this interpreter."""
    return [sys.executable, "-c", CLI, *args]


def published_files(settings: Settings) -> dict[str, bytes]:
    """Every published byte a reader could see, keyed by path (the symlink by its target)."""
    out = settings.published_dir
    files = {
        "tradewatch.duckdb": (out / "tradewatch.duckdb").read_bytes(),
        "manifest.json": (out / "manifest.json").read_bytes(),
        "parquet ->": os.readlink(out / "parquet").encode(),
    }
    for parquet in sorted((out / "parquet").iterdir()):
        files[f"parquet/{parquet.name}"] = parquet.read_bytes()
    return files
