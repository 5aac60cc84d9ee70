"""`tradewatch report`: every section drawn from its mart, or a clear panel when the build
lacks it; self-contained; register text escaped."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from ingest.cli import app
from ingest.report import ReportResult, render_report
from ingest.settings import Settings
from tests.ingest.report.report_databases import (
    ALL_SECTIONS,
    HOSTILE_URL,
    TRADE_SECTIONS,
    trade_only,
    with_all_marts,
)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def trade_report(
    built_warehouse: Settings, tmp_path_factory: pytest.TempPathFactory
) -> ReportResult:
    folder = tmp_path_factory.mktemp("trade_report")
    database = trade_only(built_warehouse, folder / "db")
    return render_report(built_warehouse, folder / "out", database=database)


@pytest.fixture(scope="module")
def full_report(
    built_warehouse: Settings, tmp_path_factory: pytest.TempPathFactory
) -> ReportResult:
    folder = tmp_path_factory.mktemp("full_report")
    database = with_all_marts(built_warehouse, folder / "db", hostile=True)
    return render_report(built_warehouse, folder / "out", database=database)


def _html(result: ReportResult) -> str:
    return result.html_path.read_text(encoding="utf-8")


def test_trade_charts_render_from_the_trade_marts(trade_report: ReportResult) -> None:
    assert set(trade_report.charts) == TRADE_SECTIONS
    for png in trade_report.charts.values():
        assert png.read_bytes()[:8] == PNG_MAGIC
    html = _html(trade_report)
    assert html.count('<figure class="chart"') == 3
    # real figures of the offline build: the 12 months to 2026-08 and Turkey's 2023 rank
    assert "<td>Trailing twelve months</td><td>$42.6 billion</td>" in html
    assert "<td>Share of the $100 billion goal</td><td>42.6 %</td>" in html
    assert "<td>Growth needed to reach the goal by 2030</td><td>21.7 %</td>" in html
    assert "<tr><td>2023</td><td>29</td>" in html
    # the year's nowcast beside the goal, and the largest revisions of the newest releases
    assert (
        "<td>Nowcast of 2026 (seasonal method, months to 2026-08)</td>"
        "<td>$41.7 billion (80 % interval $39.9 billion to $43.5 billion)</td>"
    ) in html
    assert "U.S.–Turkey series: the largest revisions" in html
    assert "<td>Turkey, imports, 2023 (year)</td>" in html


def test_every_chart_states_source_vintage_and_build_time(trade_report: ReportResult) -> None:
    html = _html(trade_report)
    build = trade_report.build_id
    assert build is not None
    captions = re.findall(r"<figcaption>(.*?)</figcaption>", html)
    assert len(captions) == 3
    for caption in captions:
        assert caption.startswith("Source: U.S. Census Bureau")
        assert "Vintage: " in caption
        assert re.search(rf"Built \d{{4}}-\d\d-\d\d \d\d:\d\d UTC \(build {build}\)", caption)
    assert (
        "Vintage: 2024-06 (months 1985-01 to 2021-12); 2026-08 (months 2022-01 to 2026-08)"
        in (captions[0])
    )


def test_missing_marts_get_a_not_available_panel(trade_report: ReportResult) -> None:
    assert set(trade_report.missing) == ALL_SECTIONS - TRADE_SECTIONS
    assert trade_report.missing["china-share"] == (
        "marts.rare_earth_import_dependence is not in this build"
    )
    html = _html(trade_report)
    assert html.count("<strong>Not available in this build.</strong>") == 4
    assert html.count('data-available="false"') == 4
    assert "This section reads marts.deal_status_history, marts.deals;" in html
    for key in trade_report.missing:
        assert not (trade_report.html_path.parent / f"{key}.png").exists()


def test_every_section_renders_when_its_marts_exist(full_report: ReportResult) -> None:
    assert set(full_report.charts) == ALL_SECTIONS
    assert full_report.missing == {}
    html = _html(full_report)
    assert html.count('<figure class="chart"') == 7
    assert html.count("<svg ") == 7
    # newest edition per year: 2024 from MCS2025, China 270,000 t of 390,000 t
    assert "<tr><td>China</td><td>270,000</td><td>69.2 %</td><td>MCS2025</td></tr>" in html
    assert "Vintage: editions MCS2024, MCS2025." in html
    assert "<tr><td>USA</td><td>magnet</td><td>baci</td><td>491,902,474</td><td>74.5 %</td>" in html
    # U.S.–Turkey deals of the bundled register: Pegasus $36bn + Mercuria $43bn (estimate)
    assert "<tr><td>signed</td><td>9</td><td>$79.0 billion</td><td>$43.0 billion</td></tr>" in html


def test_hostile_register_text_renders_as_text(full_report: ReportResult) -> None:
    html = _html(full_report)
    assert "<script" not in html.lower()
    assert "</td></table> Pegasus" not in html
    escaped = (
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;/td&gt;&lt;/table&gt; "
        "Pegasus &quot;$5bn&quot;"
    )
    assert f"<td>{escaped}</td>" in html  # the register table
    assert "&lt;script&gt;alert(" in html.split("<svg", 1)[1]  # the timeline's label
    assert HOSTILE_URL not in html  # never a link, never shown as one
    assert (
        'href="https://www.offshore-energy.biz/mercuria-to-supply-botas-with-us-sourced-lng' in html
    )


def test_the_page_loads_nothing_from_anywhere(full_report: ReportResult) -> None:
    html = _html(full_report)
    assert '<meta http-equiv="Content-Security-Policy" content="default-src \'none\';' in html
    assert not re.search(r"""\ssrc\s*=|<link\b|@import|url\(\s*['"]?(?:https?:)?//""", html, re.I)
    external = re.findall(r'href="(?!#)([^"]+)"', html)
    assert external and all(link.startswith(("http://", "https://")) for link in external)
    assert all(
        f'<a href="{link}" rel="noopener noreferrer">' in html for link in external
    )  # anchors only: a click, never a load


def test_empty_or_incomplete_marts_get_a_panel_too(
    built_warehouse: Settings, tmp_path: Path
) -> None:
    database = with_all_marts(built_warehouse, tmp_path / "db")
    with duckdb.connect(str(database)) as con:
        con.execute("delete from marts.deals_pipeline")
        con.execute("alter table marts.rare_earth_import_dependence drop column china_share_pct")
    result = render_report(built_warehouse, tmp_path / "out", database=database)
    assert result.missing == {
        "deals-pipeline": "marts.deals_pipeline has no rows in this build",
        "china-share": "marts.rare_earth_import_dependence has no column china_share_pct",
    }
    assert "rare-earth-supply" in result.charts and "deals-timeline" in result.charts


def test_report_command_writes_to_the_chosen_folder(
    built_warehouse: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRADEWATCH_DB", str(built_warehouse.db_path))
    result = CliRunner().invoke(app, ["report", "--out", str(tmp_path / "site")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "site" / "index.html").exists()
    assert (tmp_path / "site" / "trade-goal.png").read_bytes()[:8] == PNG_MAGIC
    assert "report:" in result.output


def test_report_without_a_warehouse_says_so(settings: Settings) -> None:
    result = CliRunner().invoke(app, ["report"])
    assert result.exit_code == 1
    assert "no warehouse yet" in result.output
