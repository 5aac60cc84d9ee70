"""A stand-in for the Census International Trade API, answering from tests/fixtures/census_hs.

Requests with a fixture get it (HTTP 200, JSON); every other request gets HTTP 204, as the
API answers for a month it has not released. The fixtures are synthetic values in the
documented shape (see the README next to them).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "census_hs"
JSON_TYPE = "application/json;charset=utf-8"

Reply = tuple[int, dict[str, str], bytes]


def fixture_name(url: httpx.URL) -> str:
    """`{exports|imports}_{YYYY-MM}_{HS level or commodity stem}.json`."""
    endpoint = url.path.rstrip("/").split("/")[-2]
    commodity = url.params.get("E_COMMODITY") or url.params.get("I_COMMODITY")
    tail = commodity.rstrip("*") if commodity else url.params.get("COMM_LVL", "")
    return f"{endpoint}_{url.params.get('time', '')}_{tail}.json"


def fixture_rows(name: str) -> list[dict[str, str]]:
    """A fixture's records keyed by header name (first occurrence of a repeated name)."""
    header, *rows = json.loads((FIXTURES / name).read_bytes())
    return [{h: row[i] for i, h in reversed(list(enumerate(header)))} for row in rows]


def served(url: httpx.URL) -> Reply:
    path = FIXTURES / fixture_name(url)
    if path.exists():
        return 200, {"Content-Type": JSON_TYPE}, path.read_bytes()
    return 204, {}, b""


@dataclass
class MockApi:
    """An httpx transport; `replies` overrides the answer for URLs matching a predicate."""

    requests: list[httpx.Request] = field(default_factory=list)
    replies: list[tuple[Callable[[httpx.URL], bool], Callable[[httpx.URL], Reply]]] = field(
        default_factory=list
    )

    def answer(
        self, matches: Callable[[httpx.URL], bool], reply: Callable[[httpx.URL], Reply]
    ) -> None:
        self.replies.append((matches, reply))

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        status, headers, body = next(
            (reply(request.url) for matches, reply in self.replies if matches(request.url)),
            None,
        ) or served(request.url)
        return httpx.Response(status, headers=headers, content=body)

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def chunks(self) -> list[str]:
        """The requests made, as `{endpoint}_{month}_{level or stem}` names."""
        return [fixture_name(request.url).removesuffix(".json") for request in self.requests]


def chunk_is(name: str) -> Callable[[httpx.URL], bool]:
    return lambda url: fixture_name(url) == f"{name}.json"


def no_data(url: httpx.URL) -> Reply:
    return 204, {}, b""


@contextmanager
def local_server(failing: frozenset[str] = frozenset()) -> Iterator[tuple[str, list[str]]]:
    """The fixtures over real HTTP on 127.0.0.1: yields the base URL and the request paths.
    Chunks named in `failing` (e.g. "exports_2024-01_HS2") answer HTTP 500."""
    paths: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            paths.append(self.path)
            url = httpx.URL(f"http://127.0.0.1{self.path}")
            if fixture_name(url).removesuffix(".json") in failing:
                status, headers, body = 500, {"Content-Type": "text/plain"}, b"internal error"
            else:
                status, headers, body = served(url)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            if status != 204:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if body:
                self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # keep test output clean
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host}:{port}/data/timeseries/intltrade", paths
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def served_turkey_rows() -> set[tuple[str, str, str, str, int]]:
    """(month, flow, level, code, value) for every row the server answers with."""
    rows = set()
    for path in sorted(FIXTURES.glob("*_HS[24].json")):
        endpoint, month, level = path.stem.split("_")
        flow, variable = ("export", "ALL_VAL_MO") if endpoint == "exports" else (
            "import", "GEN_VAL_MO",
        )  # fmt: skip
        for row in fixture_rows(path.name):
            code = row["E_COMMODITY" if flow == "export" else "I_COMMODITY"]
            rows.add((month, flow, level, code, int(row[variable])))
    return rows
