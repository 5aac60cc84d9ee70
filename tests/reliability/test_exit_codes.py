"""The exit-code table of docs/reliability.md is what the errors and commands really use."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from ingest import errors
from ingest.cli import app
from ingest.settings import Settings


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (errors.ParseError, 1),
        (errors.UsageError, 2),
        (errors.SettingsInvalid, 2),
        (errors.LockHeld, 3),
        (errors.CannotWrite, 74),
        (errors.LandingError, 74),
        (errors.SourceUnavailable, 75),
        (errors.UnusableResponse, 75),
        (errors.AuthenticationError, 75),
    ],
)
def test_every_error_exits_with_the_documented_code(error: type, code: int) -> None:
    assert error("x").exit_code == code


def test_an_option_the_source_does_not_take_is_a_usage_error(settings: Settings) -> None:
    result = CliRunner().invoke(app, ["ingest", "reference", "--all-products"])

    assert result.exit_code == 2, result.output
    assert "does not take --all-products" in result.output
    assert "Traceback" not in result.output


def test_help_states_the_exit_codes() -> None:
    result = CliRunner().invoke(app, ["--help"])
    text = " ".join(result.output.split())
    assert "74 cannot write" in text and "75 source unavailable" in text
    run_help = " ".join(CliRunner().invoke(app, ["run", "--help"]).output.split())
    assert "75 a source is unavailable" in run_help and "74 the warehouse" in run_help
