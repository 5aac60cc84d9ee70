"""`tradewatch report`: a static, self-contained HTML page and PNG charts from the marts.

It reads the published copy (or the warehouse when nothing is published yet) on a
read-only connection, draws every section whose marts this build has, and shows a
"not available in this build" panel for the rest.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import matplotlib

from ingest.access import query_database
from ingest.errors import TradewatchError
from ingest.report import charts, page
from ingest.report.marts import MartReader
from ingest.report.sections import all_sections
from ingest.settings import Settings

REPORT_NAME = "index.html"


@dataclass(frozen=True)
class ReportResult:
    html_path: Path
    charts: dict[str, Path]  # section key -> PNG
    missing: dict[str, str] = field(default_factory=dict)  # section key -> reason
    build_id: str | None = None


def default_out_dir(settings: Settings) -> Path:
    return settings.db_path.parent / "report"


def render_report(
    settings: Settings, out_dir: Path | None = None, *, database: Path | None = None
) -> ReportResult:
    path = database or query_database(settings)
    if not path.exists():
        raise TradewatchError(f"{path}: no warehouse yet; run `tradewatch build`")
    out = out_dir or default_out_dir(settings)
    out.mkdir(parents=True, exist_ok=True)
    config: dict[str, str | bool | int | float | list[str]] = {"enable_external_access": False}
    with (
        matplotlib.rc_context(charts.RC),
        duckdb.connect(str(path), read_only=True, config=config) as con,
    ):
        reader = MartReader(con)
        build = reader.build_info()
        sections = all_sections(reader, build)
        svgs: dict[str, str] = {}
        pngs: dict[str, Path] = {}
        for section in sections:
            png = out / f"{section.key}.png"
            if section.figure is None:
                png.unlink(missing_ok=True)  # no stale chart from an earlier build
                continue
            # the page puts the caption under the SVG; a PNG must carry its own
            svgs[section.key] = page.figure_svg(section.figure, section.key, section.title)
            charts.add_caption(section.figure, section.caption)
            section.figure.savefig(png, dpi=150)
            pngs[section.key] = png
    html_path = out / REPORT_NAME
    partial = out / f".{REPORT_NAME}.partial"
    partial.write_text(page.render_page(sections, svgs, build), encoding="utf-8")
    os.replace(partial, html_path)
    return ReportResult(
        html_path=html_path,
        charts=pngs,
        missing={section.key: section.missing.reason for section in sections if section.missing},
        build_id=build.build_id,
    )
