"""`tradewatch diff` refusals. What a diff names after a further Census vintage is observed
in test_revised_vintage.py, on the run that scenario shares with the alerts."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from ingest.cli import app
from ingest.settings import Settings
from tests.warehouse_copies import copy_built, settings_env


def test_since_an_unknown_release_is_a_usage_error(
    built_warehouse: Settings, tmp_path: Path
) -> None:
    settings = copy_built(built_warehouse, tmp_path)
    answer = CliRunner().invoke(app, ["diff", "--since", "1999-01"], env=settings_env(settings))
    assert answer.exit_code == 2
    assert "--since 1999-01: no loaded release" in answer.output
