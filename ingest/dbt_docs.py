"""`tradewatch docs`: generate the dbt docs site and serve it on 127.0.0.1.

The site goes to `<warehouse>/dbt/target-docs/`, away from the build's artifacts (dbt docs
generate rewrites run_results.json, which `publish` reads). `--static` also writes
`static_index.html`, one file with the manifest and catalog inlined, that opens offline.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from ingest.errors import TradewatchError
from ingest.settings import Settings, dbt_work_dir
from ingest.transform import run_dbt

DOCS_TARGET = "target-docs"
HOST = "127.0.0.1"  # the docs never listen beyond this machine

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DocsSite:
    folder: Path
    index: Path
    static_page: Path


def generate(settings: Settings) -> DocsSite:
    if not settings.db_path.exists():
        raise TradewatchError(f"{settings.db_path}: no warehouse yet; run `tradewatch build`")
    folder = dbt_work_dir(settings) / DOCS_TARGET
    outcome = run_dbt(settings, "docs", "generate", "--static", target=DOCS_TARGET)
    site = DocsSite(folder, folder / "index.html", folder / "static_index.html")
    needed = [site.index, site.static_page, folder / "manifest.json", folder / "catalog.json"]
    absent = [path.name for path in needed if not path.exists()]
    if not outcome.success or absent:
        shown = "; ".join(outcome.failures[:3]) or f"missing {', '.join(absent)}"
        raise TradewatchError(f"dbt docs generate failed: {shown}")
    return site


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        log.info("docs: " + format, *args)


def make_server(site: DocsSite, port: int) -> ThreadingHTTPServer:
    """A static file server on 127.0.0.1 for the site folder; port 0 picks a free port."""
    handler = partial(_QuietHandler, directory=str(site.folder))
    try:
        return ThreadingHTTPServer((HOST, port), handler)
    except OSError as error:
        raise TradewatchError(f"cannot serve the docs on {HOST}:{port}: {error}") from None
