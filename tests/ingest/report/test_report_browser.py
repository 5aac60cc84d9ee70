"""The report in a real browser: Debian's headless Chromium parses the page (no network,
a throwaway profile), and we read back the DOM it built and every console message.

The page has no script, so the check uses only `--dump-dom` and Chromium's console log on
stderr: any console message (a CSP violation, a failed load, a script error) fails it.
Chromium comes from `.ci/install-chromium.sh` (called by .ci/run). Under CI=true a missing
Chromium is a failure, never a skip.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from ingest.report import ReportResult, render_report
from ingest.settings import Settings
from tests.ingest.report.report_databases import (
    ALL_SECTIONS,
    HOSTILE_TITLE,
    TRADE_SECTIONS,
    trade_only,
    with_all_marts,
)

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--enable-logging=stderr",
    "--v=0",
)


def chromium() -> str:
    found = shutil.which("chromium") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
    )
    if found:
        return found
    message = (
        "chromium is not installed, so the report's browser check cannot run; "
        "install it with `bash .ci/install-chromium.sh` (Debian package `chromium`)"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


class Page(HTMLParser):
    """What the browser built: chart figures (and whether each holds an <svg>), sections,
    script elements, and the text of every table cell."""

    def __init__(self, dom: str) -> None:
        super().__init__()
        self.figures: dict[str, bool] = {}
        self.available: dict[str, str] = {}
        self.scripts = 0
        self.cells: list[str] = []
        self._figure: str | None = None
        self._cell: list[str] | None = None
        self.feed(dom)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "figure" and found.get("class") == "chart":
            self._figure = found.get("data-chart") or ""
            self.figures[self._figure] = False
        elif tag == "svg" and self._figure is not None:
            self.figures[self._figure] = True
        elif tag == "section":
            self.available[found.get("id") or ""] = found.get("data-available") or ""
        elif tag == "script":
            self.scripts += 1
        elif tag == "td":
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "figure":
            self._figure = None
        elif tag == "td" and self._cell is not None:
            self.cells.append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def open_in_chromium(page: Path, profile: Path) -> tuple[Page, list[str]]:
    result = subprocess.run(
        [chromium(), *FLAGS, f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    console = [line for line in result.stderr.splitlines() if ":CONSOLE" in line]
    assert "</html>" in result.stdout, "chromium returned no DOM"
    return Page(result.stdout), console


@pytest.fixture(scope="module")
def reports(
    built_warehouse: Settings, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, ReportResult]:
    folder = tmp_path_factory.mktemp("browser")
    trade = trade_only(built_warehouse, folder / "trade-db")
    full = with_all_marts(built_warehouse, folder / "full-db", hostile=True)
    return {
        "trade": render_report(built_warehouse, folder / "trade", database=trade),
        "full": render_report(built_warehouse, folder / "full", database=full),
    }


def test_every_chart_renders_with_no_console_message(
    reports: dict[str, ReportResult], tmp_path: Path
) -> None:
    page, console = open_in_chromium(reports["full"].html_path, tmp_path / "profile")
    assert console == []
    assert page.figures == dict.fromkeys(ALL_SECTIONS, True)
    assert page.scripts == 0
    assert HOSTILE_TITLE in page.cells  # shown as text, executed nowhere


def test_missing_marts_show_panels_in_the_browser(
    reports: dict[str, ReportResult], tmp_path: Path
) -> None:
    page, console = open_in_chromium(reports["trade"].html_path, tmp_path / "profile")
    assert console == []
    assert page.figures == dict.fromkeys(TRADE_SECTIONS, True)
    assert page.available == {
        section: "true" if section in TRADE_SECTIONS else "false" for section in ALL_SECTIONS
    }


def test_the_console_check_catches_errors(tmp_path: Path) -> None:
    """The check above can fail: a blocked script and a blocked remote image both log."""
    page_path = tmp_path / "broken.html"
    page_path.write_text(
        "<!doctype html><html><head><meta http-equiv='Content-Security-Policy' "
        "content=\"default-src 'none'\"></head><body><img src='https://example.invalid/a.png'>"
        "<script>console.error('boom')</script></body></html>"
    )
    page, console = open_in_chromium(page_path, tmp_path / "profile")
    assert page.scripts == 1
    assert len(console) == 2
    assert any("Content Security Policy" in line for line in console)
