"""One exit-code table: ingest/errors.py, docs/reliability.md, the README, deploy/README.md and
every command's --help name the same codes, and nothing still calls 2 "source unavailable"."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from ingest import errors
from ingest.cli import app
from ingest.settings import PROJECT_ROOT

ALL_CODES = {0, 1, 2, 3, 70, 74, 75}
TABLE_ROW = re.compile(r"^\| ?(\d+) ?\|", re.M)
HELP_CODES = re.compile(r"(?:Exit codes:|,) (\d+) ")


def _section(path: str, heading: str) -> str:
    text = (PROJECT_ROOT / path).read_text(encoding="utf-8")
    start = text.index(heading)
    level = heading.split(" ")[0]
    rest = text[start + len(heading) :]
    end = re.search(rf"^#{{1,{len(level)}}} ", rest, re.M)
    return rest[: end.start()] if end else rest


def _help(*command: str) -> str:
    result = CliRunner().invoke(app, [*command, "--help"], env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    return " ".join(result.output.replace("│", " ").split())


def test_errors_py_defines_the_table() -> None:
    defined = {value for name, value in vars(errors).items() if name.startswith("EXIT_")}
    assert defined == ALL_CODES


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("docs/reliability.md", "### Exit codes"),
        ("README.md", "### Reliability"),
        ("deploy/README.md", "# Scheduled runs"),
    ],
)
def test_every_document_tables_the_same_codes(path: str, heading: str) -> None:
    assert {int(code) for code in TABLE_ROW.findall(_section(path, heading))} == ALL_CODES


def test_run_help_names_every_code() -> None:
    assert {int(code) for code in HELP_CODES.findall(_help("run"))} == ALL_CODES


@pytest.mark.parametrize("command", ["build", "ingest", "query", "transform", "publish"])
def test_every_command_help_names_its_codes(command: str) -> None:
    assert {int(code) for code in HELP_CODES.findall(_help(command))} == ALL_CODES - {70}


def test_status_help_names_its_codes() -> None:
    assert {int(code) for code in HELP_CODES.findall(_help("status"))} == {0, 1, 2, 3}


@pytest.mark.parametrize("path", ["README.md", "docs/reliability.md", "deploy/README.md"])
def test_no_document_keeps_the_old_meaning_of_2(path: str) -> None:
    text = " ".join((PROJECT_ROOT / path).read_text(encoding="utf-8").split())
    assert not re.search(r"\b2 (?:\(|=|:)? ?source unavailable", text)
    assert "exit 0/1/2/3 " not in text
