"""User and data text is printed literally by every command: `[/x]` (an unmatched Rich
closing tag, which crashed the console) and `[link=…]` (which made a hyperlink out of data)
come out exactly as written."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from ingest import publish
from ingest.cli import app
from ingest.settings import Settings
from tests.ingest.deals_register.cases import copy_register, read_rows, write_rows
from tests.ingest.test_loader import ledger
from tests.reliability.conftest import DERIVED_MONTHLY
from tests.reliability.test_http_faults import census_country_cli

MARKUP = "[/x] [link=https://evil.example]click[/link] [bold]b[/bold]"


def assert_literal(output: str) -> None:
    assert "Traceback" not in output and "MarkupError" not in output
    assert MARKUP in " ".join(output.split())


def test_an_error_quoting_a_value_prints_it_literally_and_status_shows_it(
    inbox: tuple[Settings, Path],
) -> None:
    settings, folder = inbox
    lines = DERIVED_MONTHLY.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[-1].split(",")
    cells[header.index("exports_usd_mn")] = MARKUP
    bad = folder / "us_turkey_goods_monthly.csv"
    bad.write_text("\n".join([*lines[:-1], ",".join(cells)]) + "\n", encoding="utf-8")

    result = CliRunner().invoke(app, ["ingest", "census-country", "--file", str(bad)])

    assert result.exit_code == 1, result.output
    assert_literal(result.output)
    assert ledger(settings.db_path)[-1]["status"] == "failed"
    shown = CliRunner().invoke(app, ["status", "--no-freshness"])
    assert shown.exit_code == 1, shown.output  # the dataset's newest attempt failed
    assert "[/x]" in shown.output and "Traceback" not in shown.output


def test_an_unavailable_source_whose_page_holds_markup_exits_75(
    seeded_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRADEWATCH_HTTP_ATTEMPTS", "1")
    page = f"<html><body>Not found: {MARKUP}</body></html>"
    invoke = census_country_cli(monkeypatch, lambda request: httpx.Response(404, text=page))

    code, output = invoke()

    assert code == 75, output
    assert_literal(output)


def test_query_results_print_literally(seeded_settings: Settings) -> None:
    publish.publish(seeded_settings)
    result = CliRunner().invoke(app, ["query", f"select '{MARKUP}' as text"])

    assert result.exit_code == 0, result.output
    assert "[link=https://evil.example]" in result.output and "[/x]" in result.output


def test_deals_validate_prints_a_problem_literally(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = copy_register(tmp_path / "deals")
    rows = read_rows(folder, "deals.csv")
    rows[0]["status"] = MARKUP
    write_rows(folder, "deals.csv", rows)
    monkeypatch.setenv("TRADEWATCH_DEALS_DIR", str(folder))

    result = CliRunner().invoke(app, ["deals", "validate"])

    assert result.exit_code == 1, result.output
    assert "[/x]" in result.output and "[link=https://evil.example]" in result.output
    assert "Traceback" not in result.output
