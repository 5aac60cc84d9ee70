"""Dates in the deals register are bounded to a sane range (1900 to 50 years ahead):
`announced_on=9999-12-31` passed validation and sorted after every real event."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from ingest.cli import app
from tests.ingest.deals_register.cases import copy_register, read_rows, write_rows


@pytest.mark.parametrize(
    ("field", "value"),
    [("announced_on", "9999-12-31"), ("announced_on", "0001-01-01"), ("status_as_of", "1899")],
)
def test_a_register_date_outside_a_sane_range_is_refused(
    field: str, value: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = copy_register(tmp_path / "deals")
    rows = read_rows(folder, "deals.csv")
    rows[0][field] = value
    write_rows(folder, "deals.csv", rows)
    monkeypatch.setenv("TRADEWATCH_DEALS_DIR", str(folder))

    result = CliRunner().invoke(app, ["deals", "validate"])

    assert result.exit_code == 1, result.output
    assert f"field {field}: '{value}' is outside 1900.." in " ".join(result.output.split())
