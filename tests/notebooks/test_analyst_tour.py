"""notebooks/analyst_tour.ipynb runs headless against the published warehouse."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from ingest.settings import PROJECT_ROOT, Settings

NOTEBOOK = PROJECT_ROOT / "notebooks" / "analyst_tour.ipynb"


def _text(cell: nbformat.NotebookNode) -> str:
    parts = []
    for output in cell.get("outputs", []):
        parts.append(output.get("text", ""))
        parts.append(output.get("data", {}).get("text/plain", ""))
    return "\n".join(parts)


def test_notebook_runs_and_answers_from_the_published_copy(
    built_warehouse: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRADEWATCH_DB", str(built_warehouse.db_path))
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code")

    NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": tmp_path}}
    ).execute()  # raises CellExecutionError, naming the cell, if any cell fails

    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    manifest = json.loads((built_warehouse.published_dir / "manifest.json").read_text())
    assert manifest["build_id"] in _text(code[0])  # it read the published copy
    assert "2026-08-01" in _text(code[1]) and "42.6449" in _text(code[1])
    assert "21.735" in _text(code[2])  # growth needed by 2030
    assert "Turkey" in _text(code[4])
    images = [o for o in code[6]["outputs"] if "image/png" in o.get("data", {})]
    assert len(images) == 1
