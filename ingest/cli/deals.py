"""`tradewatch deals …`: validate, list and edit the announced-deals register.

Every edit validates the whole next version of the register before it writes a byte, so the
register on disk is never left invalid. The register folder is `TRADEWATCH_DEALS_DIR`
(default: ingest/bundled/deals).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Column, Table
from rich.text import Text

from ingest.cli.common import reports_errors
from ingest.console import console, errors
from ingest.deals_register import (
    DEAL_TYPES,
    DEALS_FILE,
    STATUSES,
    RegisterInvalid,
    check,
    load,
    read_folder,
    read_path,
)
from ingest.deals_register.edits import add_deal, add_event, format_register
from ingest.deals_register.files import Record
from ingest.deals_register.rules import SECTORS, VALUE_BASES
from ingest.pipeline import allowed_file
from ingest.settings import Settings

commands = typer.Typer(
    help="The announced-deals register: validate, list, add deals and status events.",
    no_args_is_help=True,
)


def _folder() -> Path:
    return Settings.from_env().deals_dir


def _allowed(path: Path) -> Path:
    """A PATH on the command line is read under the same roots as `ingest --file`."""
    settings = Settings.from_env()
    if path.is_dir():
        return allowed_file(path / DEALS_FILE, settings).parent
    return allowed_file(path, settings)


@commands.command()
@reports_errors
def validate(
    path: Annotated[
        Path | None,
        typer.Argument(help="Register folder, one of its CSV files, or a register zip."),
    ] = None,
) -> None:
    """Check every rule on the whole register; list every problem (exit 1) or say it is valid."""
    target = _allowed(path) if path else _folder()
    register, problems = check(read_path(target))
    if problems:
        counted = (f"{len(problems)} problem(s)", "bold red")
        errors.print(Text.assemble(counted, f" in the deals register {target}:"))
        for problem in problems:
            errors.print(f"  {problem}", soft_wrap=True)
        raise typer.Exit(1)
    console.print(
        f"deals register valid: {len(register.deals)} deals, {len(register.events)} events, "
        f"{len(register.links)} trade links ({target})"
    )


@commands.command("list")
@reports_errors
def list_deals(
    status: Annotated[str | None, typer.Option(help=f"One of: {', '.join(STATUSES)}.")] = None,
    country: Annotated[
        str | None, typer.Option(help="ISO3 code of either party, e.g. TUR.")
    ] = None,
) -> None:
    """The register's deals, optionally by current status and country."""
    if status and status not in STATUSES:
        raise typer.BadParameter(f"{status!r} is not one of {', '.join(STATUSES)}")
    folder = _folder()
    register = load(read_folder(folder), str(folder))
    headers = (
        "deal_id", "announced", "countries", "sector", "type", "status", "value_usd", "value basis"
    )  # fmt: skip
    table = Table(*(Column(header, overflow="fold") for header in headers))
    for deal in register.deals:
        countries = {deal["country_a"], deal["country_b"]} - {""}
        if status and deal["status"] != status:
            continue
        if country and country.upper() not in countries:
            continue
        value = f"{int(deal['value_usd']):,}" if deal["value_usd"] else ""
        table.add_row(
            deal["deal_id"],
            deal["announced_on"],
            "–".join(filter(None, (deal["country_a"], deal["country_b"]))),
            deal["sector"],
            deal["deal_type"],
            deal["status"],
            value,
            _value_basis(deal),
        )
    console.print(table)


def _value_basis(deal: Record) -> str:
    """What the value measures, e.g. "list_price" or "total_contract, estimate"."""
    if not deal["value_usd"]:
        return ""
    estimate = ", estimate" if deal["is_value_estimate"] == "true" else ""
    goal = " (a goal, not a deal)" if deal["deal_type"] == "target" else ""
    return f"{deal['value_basis']}{estimate}{goal}"


@commands.command()
@reports_errors
def add(
    deal_id: Annotated[str, typer.Option("--id", prompt=True, help="Slug, e.g. tr-us-x-2026.")],
    announced_on: Annotated[
        str, typer.Option(prompt=True, help="YYYY-MM-DD, or YYYY-MM / YYYY if that is all known.")
    ],
    title: Annotated[str, typer.Option(prompt=True)],
    parties: Annotated[str, typer.Option(prompt=True, help="';'-separated.")],
    country_a: Annotated[str, typer.Option(prompt=True, help="ISO3.")],
    sector: Annotated[str, typer.Option(prompt=True, help=", ".join(SECTORS))],
    commodity: Annotated[str, typer.Option(prompt=True)],
    deal_type: Annotated[str, typer.Option("--type", prompt=True, help=", ".join(DEAL_TYPES))],
    status: Annotated[str, typer.Option(prompt=True, help=", ".join(STATUSES))],
    source_name: Annotated[str, typer.Option(prompt=True)],
    source_url: Annotated[str, typer.Option(prompt=True, help="http(s) URL of the page.")],
    country_b: Annotated[str, typer.Option(help="ISO3; empty for unilateral items.")] = "",
    value_usd: Annotated[str, typer.Option(help="Whole USD, only if a source states it.")] = "",
    value_note: Annotated[str, typer.Option(help="What the value is; volumes.")] = "",
    estimate: Annotated[
        bool | None, typer.Option("--estimate/--not-estimate", help="Is value_usd an estimate?")
    ] = None,
    value_basis: Annotated[str, typer.Option(help=", ".join(VALUE_BASES))] = "",
    status_as_of: Annotated[str, typer.Option(help="Defaults to --announced-on.")] = "",
) -> None:
    """Add a deal (validated with the whole register before anything is written)."""
    folder = _folder()
    row = add_deal(folder, {
        "deal_id": deal_id, "announced_on": announced_on, "title": title, "parties": parties,
        "country_a": country_a.upper(), "country_b": country_b.upper(), "sector": sector,
        "commodity": commodity, "deal_type": deal_type, "value_usd": value_usd,
        "value_note": value_note,
        "is_value_estimate": "" if estimate is None else str(estimate).lower(),
        "value_basis": value_basis, "status": status,
        "status_as_of": status_as_of or announced_on, "source_name": source_name,
        "source_url": source_url,
    })  # fmt: skip
    console.print(f"added deal {row['deal_id']} ({row['status']}) to {folder}")


@commands.command()
@reports_errors
def event(
    deal_id: Annotated[str, typer.Argument(help="The deal the event belongs to.")],
    status: Annotated[str, typer.Option(prompt=True, help=", ".join(STATUSES))],
    date: Annotated[str, typer.Option(prompt=True, help="YYYY-MM-DD (or YYYY-MM / YYYY).")],
    source: Annotated[str, typer.Option(prompt=True, help="http(s) URL of the page.")],
    note: Annotated[str, typer.Option(prompt=True, help="What happened, in a sentence.")],
) -> None:
    """Add a dated status event; if it is the deal's latest, the deal takes its status."""
    folder = _folder()
    added = add_event(folder, deal_id, event_date=date, status=status, note=note, source_url=source)
    before, after = added.deal_before["status"], added.deal_after["status"]
    change = f"status {before} → {after}" if added.status_changed else f"status stays {before}"
    console.print(f"added {status} event of {date} to {deal_id}; {change}")


@commands.command("format")
@reports_errors
def format_files() -> None:
    """Sort the register files and write them in the register's CSV layout."""
    folder = _folder()
    changed = format_register(folder)
    console.print(f"rewrote {', '.join(changed)}" if changed else "already formatted")
    _, problems = check(read_folder(folder))
    if problems:
        raise RegisterInvalid(str(folder), problems)
