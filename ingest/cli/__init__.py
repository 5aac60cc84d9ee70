"""`tradewatch`: the command line. The only package that talks to the user.

Each command lives in a module of its own, imported only when that command runs (or when
help lists them all): `tradewatch query` then never imports what `build` needs (polars,
httpx, Great Expectations, dbt). The modules are named here, in the order `--help` lists them.
"""

from __future__ import annotations

import importlib
import logging
from typing import Annotated

import typer
from rich.logging import RichHandler
from typer.core import TyperGroup
from typer.main import get_group

from ingest.cli.plain_params import read_without_pydantic
from ingest.console import errors

COMMAND_MODULES = {
    "build": "ingest.cli.build",
    "ingest": "ingest.cli.build",
    "transform": "ingest.cli.build",
    "status": "ingest.cli.status",
    "query": "ingest.cli.query",
    "diff": "ingest.cli.diff",
    "publish": "ingest.cli.publish",
    "run": "ingest.cli.run",
    "report": "ingest.cli.site",
    "docs": "ingest.cli.site",
    "deals": "ingest.cli.deals",
}
SUB_APPS = {"deals"}  # a module whose whole Typer is one command group
FAST = {"query"}  # run many times a minute: start-up counts (ingest/cli/plain_params.py)


class LazyCommands(TyperGroup):
    """A group whose commands are imported on first use (click's lazy-group pattern).

    The type ignores: typer vendors click as a private module, so the Context and Command
    types these overrides take and return have no public name to annotate them with."""

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:  # type: ignore[override]
        read_without_pydantic(self, ctx)  # --verbose, read before any command is chosen
        return super().parse_args(ctx, args)

    def list_commands(self, ctx: typer.Context) -> list[str]:  # type: ignore[override]
        return list(COMMAND_MODULES)

    def get_command(self, ctx: typer.Context, cmd_name: str):  # type: ignore[no-untyped-def,override]
        if cmd_name not in COMMAND_MODULES:
            for name in COMMAND_MODULES:  # so click's "did you mean" sees every name
                self._load(name)
            return None
        command = self._load(cmd_name)
        if cmd_name in FAST:
            read_without_pydantic(command, ctx)
        return command

    def _load(self, name: str):  # type: ignore[no-untyped-def]
        if name not in self.commands:
            module = importlib.import_module(COMMAND_MODULES[name])
            group = get_group(module.commands)
            if name in SUB_APPS:
                group.name = name
                self.commands[name] = group
            else:
                self.commands[name] = group.commands[name]
        return self.commands[name]


app = typer.Typer(
    cls=LazyCommands,
    help="tradewatch: U.S.–Turkey trade, rare-earth flows and announced deals in DuckDB.",
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log every step.")] = False,
) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(message)s",
        handlers=[RichHandler(console=errors, show_path=False)],
    )
