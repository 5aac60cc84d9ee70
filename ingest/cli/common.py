"""What every command shares: `--target`, the settings, exit-code help and error printing.

Light on purpose: `tradewatch query` imports this, so nothing here may pull in polars, httpx,
dbt or Great Expectations.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import Annotated, ParamSpec, TypeVar

import typer
from rich.text import Text

from ingest.console import errors
from ingest.errors import (
    EXIT_BAD_INPUT,
    EXIT_CANT_WRITE,
    EXIT_LOCKED,
    EXIT_OK,
    EXIT_TEMPFAIL,
    EXIT_USAGE,
    TradewatchError,
    cannot_write,
)
from ingest.settings import Settings

P = ParamSpec("P")
R = TypeVar("R")


class Target(StrEnum):
    local = "local"
    lake = "lake"


TargetOption = Annotated[
    Target | None,
    typer.Option(
        "--target",
        help="local: the DuckDB file (default); lake: DuckLake with a PostgreSQL catalog "
        "(TRADEWATCH_LAKE_CATALOG, TRADEWATCH_LAKE_DATA_PATH; deploy/lake.md). "
        "Default: TRADEWATCH_TARGET, else local.",
    ),
]


def settings_for(target: Target | None) -> Settings:
    """The settings, with `--target` winning over TRADEWATCH_TARGET (and passed on to dbt)."""
    if target is not None:
        os.environ["TRADEWATCH_TARGET"] = target.value
    return Settings.from_env()


EXIT_CODES_HELP = (
    f"Exit codes: {EXIT_OK} ok, {EXIT_BAD_INPUT} bad input or data quality, {EXIT_USAGE} usage "
    f"error, {EXIT_LOCKED} warehouse or run lock held, {EXIT_CANT_WRITE} cannot write the "
    f"warehouse, landing or publish folder, {EXIT_TEMPFAIL} source unavailable (try later). "
    "Table: docs/reliability.md."
)


def reports_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn tradewatch's own errors into a one-line message and the documented exit code."""

    @wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except TradewatchError as error:
            print_error(error)
            raise typer.Exit(error.exit_code) from None
        except Exception as error:  # a full disk or read-only folder, wherever it surfaced
            if (failure := cannot_write(error)) is None:
                raise
            print_error(failure)
            raise typer.Exit(failure.exit_code) from None

    return wrapper


def print_error(error: TradewatchError) -> None:
    """One line, the error's text printed literally (it may quote data: `[/x]` is text)."""
    errors.print(Text.assemble(("error:", "bold red"), " ", str(error)), soft_wrap=True)
