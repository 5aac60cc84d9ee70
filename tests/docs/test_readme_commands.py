"""The README's commands work as written after `make build`.

Every `tradewatch` line of every ```sh block is collected. The ones that need nothing but the
built warehouse run, in README order, on one copy of the session's build and must exit as
documented. The ones that need the network (`--live`), a file the reader downloaded
(`--file ~/…`) or run until Ctrl-C (`docs`) cannot run here: their command line is parsed by
the real CLI, so a renamed command, flag or choice still fails. The Python snippet runs too.
"""

from __future__ import annotations

import contextlib
import io
import re
import shlex
import tomllib
from pathlib import Path

import click
import pytest
import typer
from typer.testing import CliRunner

from ingest.cli import app
from ingest.settings import PROJECT_ROOT, Settings
from tests.warehouse_copies import copy_built, settings_env

README = PROJECT_ROOT / "README.md"
PROGRAM = ".venv/bin/tradewatch"
SH_BLOCK = re.compile(r"^```sh\n(.*?)^```", re.S | re.M)
PY_BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)
# what stops a command from running in a test, and so only its command line is checked
CANNOT_RUN = {
    "--live": "needs the network",
    "--file": "reads a file the reader downloaded",
    "docs": "serves until Ctrl-C",
}
# `status` exits 1 when a source's data is older than its publisher's calendar allows: the
# bundled offline data ends months before today, and saying so is the point of the command
EXPECTED_EXIT = {"status": 1}


def readme_commands() -> list[list[str]]:
    """Each command line of the README's sh blocks, shell-split (comments dropped, a quoted
    query may span lines)."""
    commands: list[list[str]] = []
    for block in SH_BLOCK.findall(README.read_text(encoding="utf-8")):
        pending = ""
        for line in block.splitlines():
            pending = f"{pending}\n{line}" if pending else line
            try:
                words = shlex.split(pending, comments=True)
            except ValueError:  # an open quote: the command goes on
                continue
            pending = ""
            if words:
                commands.append(words)
        assert pending == "", f"unclosed quote in README: {pending[:60]}"
    return commands


def tradewatch_commands() -> list[list[str]]:
    """The arguments after the program, each distinct command once."""
    unique = {tuple(words[1:]): None for words in readme_commands() if words[0] == PROGRAM}
    return [list(args) for args in unique]


def blocker(args: list[str]) -> str | None:
    for word, reason in CANNOT_RUN.items():
        if word in args or args[:1] == [word]:
            return reason
    return None


def _command_id(args: list[str]) -> str:
    return " ".join(args)[:70]


def test_every_command_is_written_the_same_runnable_way() -> None:
    """`.venv/bin/tradewatch`, which `make install` creates, never a bare `tradewatch`."""
    programs = {words[0] for words in readme_commands()}
    assert "tradewatch" not in programs
    # the lake section (deploy/lake.md) runs its own environment and a PostgreSQL client
    assert programs <= {PROGRAM, "make", "export", ".venv-lake/bin/tradewatch", "psql"}
    assert len(tradewatch_commands()) >= 18
    makefile = (PROJECT_ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^VENV := \.venv$", makefile, re.M)
    assert re.search(r"^LAKE_VENV := \.venv-lake$", makefile, re.M)
    scripts = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["tradewatch"] == "ingest.cli:app"


@pytest.mark.parametrize(
    "args", [args for args in tradewatch_commands() if blocker(args)], ids=_command_id
)
def test_a_command_that_cannot_run_here_still_parses(args: list[str]) -> None:
    command = typer.main.get_command(app)
    with contextlib.redirect_stdout(io.StringIO()):
        context = command.make_context("tradewatch", list(args), resilient_parsing=False)
        while isinstance(context.command, click.Group) and context.protected_args:
            name, *rest = [*context.protected_args, *context.args]
            sub = context.command.get_command(context, name)
            assert sub is not None, f"no command {name!r}"
            context = sub.make_context(name, rest, parent=context)
    if args[0] == "ingest":
        from ingest.sources import SOURCES

        assert args[1] in SOURCES


@pytest.fixture(scope="module")
def readme_warehouse(built_warehouse: Settings, tmp_path_factory: pytest.TempPathFactory):
    """One copy of the session build for every runnable command, in README order."""
    return copy_built(built_warehouse, tmp_path_factory.mktemp("readme"))


@pytest.mark.parametrize(
    "args", [args for args in tradewatch_commands() if not blocker(args)], ids=_command_id
)
def test_a_readme_command_runs_as_documented(readme_warehouse: Settings, args: list[str]) -> None:
    result = CliRunner().invoke(app, args, env=settings_env(readme_warehouse))
    expected = EXPECTED_EXIT.get(args[0], 0)
    assert result.exit_code == expected, result.output
    if expected:
        assert "stale" in result.output


def test_the_python_snippet_reads_the_published_copy(
    built_warehouse: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (snippet,) = PY_BLOCK.findall(README.read_text(encoding="utf-8"))
    assert '"warehouse/published/tradewatch.duckdb"' in snippet
    (tmp_path / "warehouse").mkdir()
    (tmp_path / "warehouse" / "published").symlink_to(built_warehouse.published_dir)
    monkeypatch.chdir(tmp_path)  # the snippet runs from the repository's root
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(snippet, "README.md", "exec"), {})
    assert "29981300000" in printed.getvalue()  # 2023 total, among the last five years
