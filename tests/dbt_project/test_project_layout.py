"""The dbt project's file layout: one naming rule for every property file, short rare-earth
models (issue 13: none over ~150 lines)."""

from __future__ import annotations

from pathlib import Path

from ingest.settings import DBT_PROJECT_DIR

KINDS = {
    "models": ("models", "sources"),
    "seeds": ("seeds",),
    "snapshots": ("snapshots",),
    "macros": ("macros",),
}


def property_files() -> list[Path]:
    return sorted(
        path
        for top in KINDS
        for path in (DBT_PROJECT_DIR / top).rglob("*.yml")
        if "target" not in path.parts
    )


def test_every_property_file_is_named_after_its_folder() -> None:
    """`_<folder>__models.yml`, `_<folder>__sources.yml`, `_<folder>__seeds.yml`, …"""
    misnamed = []
    for path in property_files():
        top = path.relative_to(DBT_PROJECT_DIR).parts[0]
        allowed = {f"_{path.parent.name}__{kind}.yml" for kind in KINDS[top]}
        if path.name not in allowed:
            misnamed.append(f"{path.relative_to(DBT_PROJECT_DIR)} (want {sorted(allowed)})")
    assert property_files(), "no property files found"
    assert misnamed == []


def test_no_rare_earth_model_is_longer_than_150_lines() -> None:
    models = sorted((DBT_PROJECT_DIR / "models").glob("*/rare_earths/*.sql"))
    assert len(models) >= 10
    long = {
        path.name: lines for path in models if (lines := len(path.read_text().splitlines())) > 150
    }
    assert long == {}
