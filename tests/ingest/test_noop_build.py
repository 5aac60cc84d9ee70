"""A build that would repeat the last one skips dbt and publish."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ingest import pipeline, transform
from ingest.cli import app
from ingest.settings import Settings
from tests.warehouse_copies import copy_built, settings_env


def test_a_build_with_nothing_new_skips_dbt_and_publish(
    built_warehouse: Settings, tmp_path: Path
) -> None:
    settings = copy_built(built_warehouse, tmp_path)
    manifest = settings.published_dir / "manifest.json"
    before = manifest.read_bytes()

    result = CliRunner().invoke(app, ["build"], env=settings_env(settings))

    assert result.exit_code == 0, result.output
    build_id = json.loads(before)["build_id"]
    assert f"nothing changed since build {build_id}" in result.output
    assert "share of $100bn goal" in result.output
    assert manifest.read_bytes() == before


def test_a_changed_dbt_project_or_a_new_load_needs_a_build(
    built_warehouse: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = copy_built(built_warehouse, tmp_path)
    skipped = [pipeline.LoadResult("reference", "countries", "skipped", "x.csv", "id")]
    loaded = [pipeline.LoadResult("reference", "countries", "ok", "x.csv", "id")]

    assert pipeline.unchanged_build(settings, skipped) is not None
    assert pipeline.unchanged_build(settings, loaded) is None
    monkeypatch.setattr(transform, "project_fingerprint", lambda: "another project")
    assert pipeline.unchanged_build(settings, skipped) is None
