"""Settings are checked once, at start-up: each unusable value is one line naming the
variable (exit 2), never a traceback or a silently disabled limit later."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from ingest.cli import app
from ingest.errors import SettingsInvalid
from ingest.settings import Settings

BAD_VALUES = [
    ("TRADEWATCH_HTTP_ATTEMPTS", "0", "must be at least 1"),
    ("TRADEWATCH_HTTP_ATTEMPTS", "three", "not a whole number"),
    ("TRADEWATCH_ZIP_MAX_RATIO", "nan", "finite"),
    ("TRADEWATCH_ZIP_MAX_RATIO", "inf", "finite"),
    ("TRADEWATCH_HTTP_TIMEOUT_S", "abc", "not a number"),
    ("TRADEWATCH_HTTP_TIMEOUT_S", "0", "more than 0"),
    ("TRADEWATCH_HTTP_DEADLINE_S", "-5", "more than 0"),
    ("TRADEWATCH_HTTP_MAX_BYTES", "-1", "at least 1"),
    ("TRADEWATCH_ZIP_MAX_BYTES", "1e9", "not a whole number"),
    ("TRADEWATCH_CSV_MAX_LINE_BYTES", "10", "at least 64"),
    ("TRADEWATCH_QUERY_MEMORY_LIMIT", "lots", "not a size"),
    ("COMTRADE_PAUSE_S", "-1", "at least 0"),
    ("CENSUS_BALANCE_URL", "file:///etc/passwd", "not an http(s) URL"),
]


@pytest.mark.parametrize(("variable", "value", "reason"), BAD_VALUES)
def test_an_unusable_setting_is_one_clear_error(
    variable: str, value: str, reason: str, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsInvalid, match=variable):
        Settings.from_env()

    for command in (["ingest", "reference"], ["run", "--no-freshness"]):
        result = CliRunner().invoke(app, command)

        assert result.exit_code == 2, result.output
        assert variable in result.output and reason in result.output
        assert "Traceback" not in result.output
        assert len(result.output.strip().splitlines()) == 1


def test_the_root_folder_is_never_a_default_file_root(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TRADEWATCH_FILE_ROOTS", raising=False)
    monkeypatch.chdir("/")
    monkeypatch.setenv("HOME", "/")

    assert Path("/") not in Settings.from_env().file_roots
    result = CliRunner().invoke(app, ["ingest", "census-country", "--file", "/proc/self/environ"])

    assert result.exit_code == 1, result.output
    assert "outside the folders" in result.output
    assert not settings.landing_dir.exists()


def test_a_root_named_on_purpose_is_still_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRADEWATCH_FILE_ROOTS", "/")
    assert Settings.from_env().file_roots == (Path("/"),)
