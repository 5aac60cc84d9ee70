"""The scheduler examples in deploy/ parse, and every tradewatch command they run exists."""

from __future__ import annotations

import configparser
import re

import pytest
import yaml
from typer.testing import CliRunner

from ingest.cli import app
from ingest.settings import PROJECT_ROOT

DEPLOY = PROJECT_ROOT / "deploy"
# an invocation: `.venv/bin/tradewatch run --live`, or `tradewatch run` quoted in prose
COMMAND = re.compile(r"(?:bin/|`)tradewatch ([a-z]+)((?: --[a-z-]+(?: [a-z]+)?)*)")


def _unit(name: str) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser(strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(DEPLOY / "systemd" / name)
    return parser


def test_systemd_service_and_timer() -> None:
    service = _unit("tradewatch-run.service")
    assert service["Service"]["Type"] == "oneshot"
    assert service["Service"]["ExecStart"].endswith("/.venv/bin/tradewatch run --live")
    assert service["Service"]["SuccessExitStatus"] == "3"  # lock held is not a failure
    timer = _unit("tradewatch-run.timer")
    assert timer["Timer"]["Unit"] == "tradewatch-run.service"
    assert timer["Timer"]["OnCalendar"] == "*-*-* 06:15:00 UTC"
    assert timer["Install"]["WantedBy"] == "timers.target"


def test_cron_line_has_five_time_fields() -> None:
    lines = [
        line
        for line in (DEPLOY / "cron" / "tradewatch.cron").read_text().splitlines()
        if line and not line.startswith("#") and "=" not in line.split()[0]
    ]
    assert len(lines) == 1
    fields = lines[0].split(maxsplit=5)
    assert fields[:5] == ["15", "6", "*", "*", "*"]
    assert fields[5].endswith("tradewatch run --live")


def test_github_workflow_runs_make_build() -> None:
    workflow = yaml.safe_load((DEPLOY / "github-actions" / "tradewatch-build.yml").read_text())
    steps = workflow["jobs"]["build"]["steps"]
    assert {"run": "make build", "name": "Build the warehouse (offline, bundled sources)"} in steps
    assert workflow[True]["schedule"] == [{"cron": "15 6 * * *"}]  # YAML 1.1 reads `on` as True


@pytest.mark.parametrize(
    "path",
    [path for path in sorted(DEPLOY.rglob("*")) if path.is_file()],
    ids=lambda path: str(path.relative_to(DEPLOY)),
)
def test_every_command_in_the_examples_exists(path) -> None:  # type: ignore[no-untyped-def]
    found = COMMAND.findall(path.read_text())
    assert found or path.suffix == ".timer"
    for command, flags in found:
        result = CliRunner().invoke(app, [command, "--help"])
        assert result.exit_code == 0, f"{path.name}: tradewatch {command}: {result.output}"
        for flag in re.findall(r"--[a-z-]+", flags):
            assert flag in result.output, f"{path.name}: tradewatch {command} has no {flag}"
