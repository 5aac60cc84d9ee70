"""A warehouse with one real load, made once and copied by every fault test that needs
rows to protect (a copy costs milliseconds; a load costs seconds)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ingest.loader import load_payload
from ingest.settings import Settings
from ingest.sources.base import bundled_path
from ingest.sources.census_country import CENSUS_COUNTRY
from tests.warehouse_copies import copy_built, settings_env

DERIVED_MONTHLY = bundled_path("census_country", "us_turkey_goods_monthly.csv")


@pytest.fixture(scope="session")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("seeded")
    settings = Settings(db_path=root / "tradewatch.duckdb", landing_dir=root / "landing")
    (payload,) = CENSUS_COUNTRY.from_file(DERIVED_MONTHLY)
    load_payload(payload, settings)
    return settings.db_path


@pytest.fixture
def seeded_settings(settings: Settings, seeded: Path) -> Settings:
    """`settings` whose warehouse starts as a copy of the seeded one."""
    settings.db_path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(seeded, settings.db_path)
    return settings


@pytest.fixture
def inbox(
    seeded_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Settings, Path]:
    """The seeded warehouse, and the one folder `--file` may read from."""
    folder = tmp_path / "inbox"
    folder.mkdir()
    monkeypatch.setenv("TRADEWATCH_FILE_ROOTS", str(folder))
    return Settings.from_env(), folder


@pytest.fixture
def built_copy(
    built_warehouse: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Settings:
    """A copy of the session's built (and published) warehouse, exported for the CLI."""
    settings = copy_built(built_warehouse, tmp_path)
    for key, value in settings_env(settings).items():
        monkeypatch.setenv(key, value)
    return settings
