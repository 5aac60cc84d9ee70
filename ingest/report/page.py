"""The report page: one self-contained HTML file, every chart an inline SVG.

No script, no external resource: a Content-Security-Policy forbids both, so a browser
would refuse (and log) anything that slipped in. Every piece of text that comes from the
warehouse goes through `html.escape`; matplotlib escapes the text inside the SVGs.
"""

from __future__ import annotations

import html
import io
import re
from urllib.parse import urlsplit

from matplotlib.figure import Figure

from ingest.report.content import Section, Table
from ingest.report.marts import BuildInfo

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
CREDITS = (
    "U.S. Census Bureau foreign-trade statistics and USGS Mineral Commodity Summaries are "
    "public domain. BACI is by CEPII, used under its open licence with attribution. UN "
    "Comtrade data are not redistributed. Deals come from the tradewatch register; each "
    "row cites its own source."
)
STYLE = """
:root { color-scheme: light; --ink: #1f2933; --muted: #6b7280; --line: #e5e7eb; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif;
       color: var(--ink); background: #fff; }
header, main, footer, nav { max-width: 980px; margin: 0 auto; padding: 0 20px; }
header { padding-top: 28px; }
h1 { font-size: 1.6rem; margin: 0 0 4px; }
h2 { font-size: 1.2rem; margin: 36px 0 6px; border-top: 1px solid var(--line);
     padding-top: 20px; }
.meta, figcaption, footer, .intro { color: var(--muted); font-size: 0.85rem; }
nav ol { padding-left: 20px; margin: 12px 0 0; columns: 2; font-size: 0.9rem; }
figure.chart { margin: 12px 0; }
figure.chart svg { width: 100%; height: auto; display: block; }
figcaption { margin-top: 4px; }
table { border-collapse: collapse; margin: 12px 0; font-size: 0.85rem; width: 100%; }
caption { text-align: left; font-weight: 600; padding-bottom: 4px; }
th, td { text-align: left; padding: 3px 8px; border-bottom: 1px solid var(--line);
         vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.unavailable-panel { border: 1px dashed #cbd5e0; background: #f7fafc; padding: 14px 16px;
                     border-radius: 6px; margin: 12px 0; }
.unavailable-panel strong { display: block; margin-bottom: 4px; }
footer { margin-top: 40px; padding-bottom: 40px; border-top: 1px solid var(--line);
         padding-top: 12px; }
"""
_XML_PROLOGUE = re.compile(r"<\?xml[^>]*\?>|<!DOCTYPE[^>]*>|<metadata>.*?</metadata>", re.S)
_SIZE = re.compile(r'\s(?:width|height)="[^"]*"')
_ID = re.compile(r'\bid="([^"]+)"')
_REF = re.compile(r'(url\(#|href="#)([^")]+)')


def escape(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def figure_svg(figure: Figure, key: str, label: str) -> str:
    """The figure as an <svg> element fit to inline: no prologue, ids unique to the chart."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    svg = _XML_PROLOGUE.sub("", buffer.getvalue().decode("utf-8")).strip()
    opening, rest = svg.split(">", 1)
    svg = _SIZE.sub("", opening) + ">" + rest  # the viewBox stays: CSS sets the width
    svg = _ID.sub(lambda match: f'id="{key}-{match.group(1)}"', svg)
    svg = _REF.sub(lambda match: f"{match.group(1)}{key}-{match.group(2)}", svg)
    return svg.replace(
        "<svg ", f'<svg role="img" aria-label="{escape(label)}" class="chart-svg" ', 1
    )


def render_page(sections: list[Section], svgs: dict[str, str], build: BuildInfo) -> str:
    if build.build_id:
        stamp = f"Published build {build.build_id}, built {build.built_at}."
    else:
        stamp = f"Unpublished warehouse, last loaded {build.built_at}."
    parts = [
        "<!doctype html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="tradewatch report">',
        f"<title>tradewatch report: {escape(build.build_id or build.built_at)}</title>",
        f"<style>{STYLE}</style>",
        "</head>",
        "<body>",
        "<header>",
        "<h1>tradewatch: U.S.–Turkey trade, rare earths and announced deals</h1>",
        f'<p class="meta">{escape(stamp)} Every chart states its source, vintage and build '
        "time. This page works offline and loads nothing from the network.</p>",
        "</header>",
        "<nav><ol>",
        *(
            f'<li><a href="#{escape(section.key)}">{escape(section.title)}</a>'
            + ("" if section.missing is None else " (not available in this build)")
            + "</li>"
            for section in sections
        ),
        "</ol></nav>",
        "<main>",
        *(_section(section, svgs.get(section.key)) for section in sections),
        "</main>",
        f"<footer><p>{escape(CREDITS)}</p></footer>",
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


def _section(section: Section, svg: str | None) -> str:
    available = section.missing is None and svg is not None
    head = (
        f'<section id="{escape(section.key)}" class="report-section" '
        f'data-available="{"true" if available else "false"}">'
        f"<h2>{escape(section.title)}</h2>"
        f'<p class="intro">{escape(section.intro)}</p>'
    )
    if not available:
        reason = section.missing.reason if section.missing else "no chart was drawn"
        needs = ", ".join(section.needs)
        return (
            f'{head}<div class="unavailable-panel" role="note">'
            f"<strong>Not available in this build.</strong>"
            f"{escape(reason)}. This section reads {escape(needs)}; it fills in once the "
            f"build loads the sources behind them.</div></section>"
        )
    body = [
        f'<figure class="chart" id="chart-{escape(section.key)}" '
        f'data-chart="{escape(section.key)}">{svg}'
        f"<figcaption>{escape(section.caption)}</figcaption></figure>",
        *(_table(table) for table in section.tables),
    ]
    return head + "".join(body) + "</section>"


def _table(table: Table) -> str:
    rows = []
    for row_index, row in enumerate(table.rows):
        cells = []
        for column, value in enumerate(row):
            url = table.links.get((row_index, column))
            shown = escape(value)
            if url and _is_web_url(url):
                shown = f'<a href="{escape(url)}" rel="noopener noreferrer">{shown or "link"}</a>'
            cells.append(f"<td>{shown}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    headers = "".join(f'<th scope="col">{escape(header)}</th>' for header in table.headers)
    return (
        f"<table><caption>{escape(table.caption)}</caption>"
        f"<thead><tr>{headers}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _is_web_url(url: str) -> bool:
    parts = urlsplit(url.strip())
    return parts.scheme in {"http", "https"} and bool(parts.netloc)
