"""Every live source × every HTTP fault, through `pipeline.ingest_source(live=True)` on a mock
transport: the run fails (or skips) with the documented error and exit code, the raw tables are
row-identical to before, the ledger says what happened, and no API key appears anywhere."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import httpx
import pytest
from typer.testing import CliRunner

from ingest import pipeline
from ingest.cli import app
from ingest.errors import TradewatchError
from ingest.settings import Settings
from ingest.sources.base import SourceRequest, bundled_path
from tests.ingest.sources.census_hs_api import MockApi
from tests.ingest.sources.test_comtrade import TODAY, body, matching, records
from tests.ingest.sources.test_usgs_mcs_live import sciencebase
from tests.ingest.test_loader import ledger, raw_state

CENSUS_KEY = "census-secret-4f1c9a7be2d04c55aa01"  # shaped like keys; not real ones
COMTRADE_KEY = "comtrade-secret-9d2e6b13c87f4a0e"
KEYS = (CENSUS_KEY, COMTRADE_KEY)
MAX_BYTES = 2 * 1024 * 1024  # above every real answer here (the workbook: 0.8 MB)
CHUNK = 256 * 1024
DERIVED_MONTHLY = bundled_path("census_country", "us_turkey_goods_monthly.csv")
WORKBOOK = bundled_path("census_country", "country_xlsx_2023-01.xlsx")
ERROR_PAGE = "<!DOCTYPE html><html><body><h1>Service temporarily unavailable</h1>{}</body></html>"

Handler = Callable[[httpx.Request], httpx.Response]


def echoed(request: httpx.Request) -> str:
    """A hostile error body that repeats the request, key included, back to the client."""
    return f"request {request.url} headers {dict(request.headers)}"


@dataclass(frozen=True)
class LiveSource:
    name: str
    normal: Callable[[], Handler]
    options: dict[str, object]


def census_country_normal() -> Handler:
    return lambda request: httpx.Response(200, content=WORKBOOK.read_bytes())


def census_hs_normal() -> Handler:
    return MockApi().handle


def comtrade_normal() -> Handler:
    pool = records()
    return lambda request: httpx.Response(200, content=body(matching(request, pool)))


LIVE_SOURCES = {
    "census-country": LiveSource("census-country", census_country_normal, {}),
    "census-hs": LiveSource(
        "census-hs",
        census_hs_normal,
        {"from_month": "2024-01", "to_month": "2024-01", "dataset": "turkey_by_hs"},
    ),
    "usgs-mcs": LiveSource("usgs-mcs", sciencebase, {"editions": ("MCS2024",)}),
    "comtrade": LiveSource("comtrade", comtrade_normal, {"today": TODAY}),
}


def status(code: int, **headers: str) -> Callable[[Handler], Handler]:
    def make(_: Handler) -> Handler:
        return lambda request: httpx.Response(
            code, headers=headers, text=ERROR_PAGE.format(echoed(request))
        )

    return make


def raises(error: type[Exception]) -> Callable[[Handler], Handler]:
    def make(_: Handler) -> Handler:
        def handle(request: httpx.Request) -> httpx.Response:
            raise error(f"fault injected for {request.url}", request=request)

        return handle

    return make


def cut_in_half(normal: Handler) -> Handler:
    """The real answer with its second half lost: mid-JSON, mid-zip, mid-xlsx."""

    def handle(request: httpx.Request) -> httpx.Response:
        content = normal(request).content
        return httpx.Response(200, content=content[: len(content) // 2])

    return handle


def html_200(_: Handler) -> Handler:
    return lambda request: httpx.Response(
        200,
        headers={"Content-Type": "text/html"},
        text=ERROR_PAGE.format(echoed(request)),
    )


def endless() -> Iterator[bytes]:
    """Up to 1 GiB, never produced whole: the client must stop reading at its limit."""
    pulled = [0]
    PULLED.append(pulled)
    for _ in range(4096):
        pulled[0] += CHUNK
        yield b"x" * CHUNK


def huge(_: Handler) -> Handler:
    return lambda request: httpx.Response(200, content=endless())


def huge_announced(_: Handler) -> Handler:
    return lambda request: httpx.Response(
        200, headers={"Content-Length": str(50 * 1024**3)}, content=endless()
    )


def redirect_to(location: Callable[[httpx.Request], str]) -> Callable[[Handler], Handler]:
    def make(_: Handler) -> Handler:
        return lambda request: httpx.Response(302, headers={"Location": location(request)})

    return make


def bad_content_encoding(_: Handler) -> Handler:
    """A body that says it is gzip and is not: httpx's DecodingError while reading it."""
    return lambda request: httpx.Response(
        200, headers={"Content-Encoding": "gzip"}, content=b"not gzip at all " * 64
    )


PULLED: list[list[int]] = []  # bytes pulled from each streamed response

# fault → the exit code every source must end with; 204 is the API's "nothing published"
FAULTS: dict[str, Callable[[Handler], Handler]] = {
    "429-storm": status(429, **{"Retry-After": "1"}),
    "http-500": status(500),
    "http-502": status(502),
    "http-503": status(503),
    "http-504": status(504),
    "connection-reset": raises(httpx.ReadError),
    "connect-refused": raises(httpx.ConnectError),
    "timeout": raises(httpx.ReadTimeout),
    "body-cut-in-half": cut_in_half,
    "html-page-200": html_200,
    "empty-204": status(204),
    "huge-streamed": huge,
    "huge-announced": huge_announced,
    "redirect-loop": redirect_to(lambda request: str(request.url)),
    "redirect-to-ftp": redirect_to(lambda request: "ftp://mirror.example/country.xlsx"),
    "bad-content-encoding": bad_content_encoding,
}
RETRIED = {"429-storm", "http-500", "http-502", "http-503", "http-504"} | {
    "connection-reset",
    "connect-refused",
    "timeout",
}
# one rule for every live source (docs/reliability.md): an answer that is not a complete,
# decodable body of the documented format (cut short, an HTML page, an undocumented 204) is
# the source being unavailable, exit 75, like a 503; only the Census API documents 204, as
# "nothing published for this query", so its months are skipped (exit 0)
EXIT_CODES: dict[tuple[str, str], int] = {
    **{(source, fault): 75 for source in LIVE_SOURCES for fault in FAULTS},
    ("census-hs", "empty-204"): 0,
}
# the answers a live source received and refused, archived (key scrubbed) for inspection
REFUSED_BODIES = {"body-cut-in-half", "html-page-200"}


@pytest.fixture
def keyed(
    seeded_settings: Settings, monkeypatch: pytest.MonkeyPatch, waits: list[float]
) -> Settings:
    monkeypatch.setenv("CENSUS_API_KEY", CENSUS_KEY)
    monkeypatch.setenv("COMTRADE_API_KEY", COMTRADE_KEY)
    monkeypatch.setenv("COMTRADE_PAUSE_S", "0")
    monkeypatch.setenv("TRADEWATCH_HTTP_ATTEMPTS", "3")
    monkeypatch.setenv("TRADEWATCH_HTTP_MAX_BYTES", str(MAX_BYTES))
    return Settings.from_env()


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Retry waits are recorded, never slept."""
    recorded: list[float] = []
    monkeypatch.setattr(time, "sleep", recorded.append)
    return recorded


def run(
    source: LiveSource, settings: Settings, handler: Handler, waits: list[float]
) -> tuple[int, str]:
    """(exit code, message) of one live ingest, as the CLI would report them."""
    try:
        pipeline.ingest_source(
            source.name,
            settings,
            live=True,
            request=SourceRequest(**source.options),
            transport=httpx.MockTransport(handler),
        )
    except TradewatchError as error:
        return error.exit_code, str(error)
    return 0, ""


def stored_text(settings: Settings) -> str:
    """Everything tradewatch wrote: every table of the warehouse, every landing file and name,
    and the published copy if there is one."""
    parts: list[str] = []
    databases = [settings.db_path, *settings.published_dir.glob("*.duckdb")]
    for path in databases:
        with duckdb.connect(str(path), read_only=True) as con:
            tables = con.execute(
                "select schema_name || '.' || table_name from duckdb_tables()"
            ).fetchall()
            for (table,) in tables:
                parts.append(str(con.execute(f"from {table}").fetchall()))
    for path in settings.landing_dir.rglob("*"):
        parts.append(str(path))
        if path.is_file():
            parts.append(path.read_bytes().decode("utf-8", errors="replace"))
    return "\n".join(parts)


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("name", LIVE_SOURCES)
def test_http_fault_leaves_the_warehouse_unchanged_and_no_key_anywhere(
    name: str,
    fault: str,
    keyed: Settings,
    waits: list[float],
    caplog: pytest.LogCaptureFixture,
) -> None:
    source = LIVE_SOURCES[name]
    before_rows, before_ledger = raw_state(keyed.db_path), ledger(keyed.db_path)
    PULLED.clear()

    with caplog.at_level(logging.DEBUG):
        code, message = run(source, keyed, FAULTS[fault](source.normal()), waits)

    assert code == EXIT_CODES[(name, fault)], message
    assert raw_state(keyed.db_path) == before_rows
    new = ledger(keyed.db_path)[len(before_ledger) :]
    assert new, "the ledger records every attempt"
    expected = {"skipped"} if code == 0 else {"failed"}
    assert {entry["status"] for entry in new} <= {"failed", "skipped"}
    assert expected <= {entry["status"] for entry in new}
    if fault in REFUSED_BODIES:
        assert all(Path(entry["payload_path"]).is_file() for entry in new), new
        assert "instead of" in message or "Census API answered HTTP 200" in message
    if fault in RETRIED:
        assert waits, "transient faults are retried"
        assert "after 3 attempts" in message
    if fault.startswith("huge"):
        assert "byte limit" in message
        # bounded memory: each stream is abandoned one chunk past the limit
        assert max((pulled for (pulled,) in PULLED), default=0) <= MAX_BYTES + CHUNK
    everything = "\n".join([message, caplog.text, stored_text(keyed)])
    for key in KEYS:
        assert key not in everything


def census_country_cli(
    monkeypatch: pytest.MonkeyPatch, handler: Handler
) -> Callable[[], tuple[int, str]]:
    real = pipeline.make_client

    def with_transport(**kwargs: object) -> httpx.Client:
        return real(**{**kwargs, "transport": httpx.MockTransport(handler)})  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "make_client", with_transport)

    def invoke() -> tuple[int, str]:
        result = CliRunner().invoke(app, ["ingest", "census-country", "--live"])
        return result.exit_code, result.output

    return invoke


@pytest.mark.parametrize(
    ("fault", "code", "message"),
    [
        ("http-503", 75, "HTTP 503 after 3 attempts"),
        ("timeout", 75, "ReadTimeout after 3 attempts"),
        ("huge-announced", 75, "exceeds the 2,097,152-byte limit"),
        ("body-cut-in-half", 75, "HTTP 200 with a body that is not a complete zip archive"),
        ("html-page-200", 75, "HTTP 200 with an HTML page"),
        ("empty-204", 75, "HTTP 204 (No Content) instead of the xlsx workbook"),
    ],
)
def test_the_cli_exits_with_the_documented_code_and_one_line_message(
    fault: str,
    code: int,
    message: str,
    keyed: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = raw_state(keyed.db_path)
    invoke = census_country_cli(monkeypatch, FAULTS[fault](census_country_normal()))

    exit_code, output = invoke()

    assert exit_code == code, output
    assert "error:" in output and message in " ".join(output.split())
    assert raw_state(keyed.db_path) == before


def drifted_census_hs(change: Callable[[list[list[str]]], list[list[str]]]) -> Handler:
    api = MockApi()

    def handle(request: httpx.Request) -> httpx.Response:
        answer = api.handle(request)
        if answer.status_code != 200:
            return answer
        return httpx.Response(200, content=json.dumps(change(json.loads(answer.content))).encode())

    return handle


def drifted_comtrade(change: Callable[[dict], dict]) -> Handler:
    pool = records()

    def handle(request: httpx.Request) -> httpx.Response:
        data = [change(dict(record)) for record in matching(request, pool)]
        return httpx.Response(200, content=body(data))

    return handle


def value_column(rows: list[list[str]]) -> int:
    """The monthly value: ALL_VAL_MO for exports, GEN_VAL_MO for imports."""
    return next(i for i, name in enumerate(rows[0]) if name in ("ALL_VAL_MO", "GEN_VAL_MO"))


def rename_value(rows: list[list[str]]) -> list[list[str]]:
    index = value_column(rows)
    return [[c + "_X" if i == index else c for i, c in enumerate(rows[0])], *rows[1:]]


def drop_value(rows: list[list[str]]) -> list[list[str]]:
    index = value_column(rows)
    return [[cell for i, cell in enumerate(row) if i != index] for row in rows]


def retype_value(rows: list[list[str]]) -> list[list[str]]:
    index = value_column(rows)
    return [rows[0], *[["twelve" if i == index else c for i, c in enumerate(r)] for r in rows[1:]]]


def without(record: dict, field: str) -> dict:
    record.pop(field)
    return record


SCHEMA_DRIFT: dict[str, tuple[str, Handler]] = {
    "census-hs missing column": (
        "census-hs",
        drifted_census_hs(drop_value),
    ),
    "census-hs renamed column": (
        "census-hs",
        drifted_census_hs(rename_value),
    ),
    "census-hs re-typed column": (
        "census-hs",
        drifted_census_hs(retype_value),
    ),
    "comtrade missing field": (
        "comtrade",
        drifted_comtrade(lambda record: without(record, "primaryValue")),
    ),
    "comtrade renamed field": (
        "comtrade",
        drifted_comtrade(lambda r: {**without(r, "primaryValue"), "primaryVal": 1.0}),
    ),
    "comtrade re-typed field": (
        "comtrade",
        drifted_comtrade(lambda record: {**record, "primaryValue": "a lot"}),
    ),
}


@pytest.mark.parametrize("case", SCHEMA_DRIFT)
def test_a_200_with_an_unexpected_schema_fails_the_chunk_and_publishes_nothing(
    case: str, keyed: Settings, waits: list[float]
) -> None:
    name, handler = SCHEMA_DRIFT[case]
    before_rows, before_ledger = raw_state(keyed.db_path), ledger(keyed.db_path)

    code, message = run(LIVE_SOURCES[name], keyed, handler, waits)

    assert code == 1, message
    assert raw_state(keyed.db_path) == before_rows
    new = ledger(keyed.db_path)[len(before_ledger) :]
    assert "failed" in {entry["status"] for entry in new}
    assert all(key not in message for key in KEYS)


def test_a_live_run_against_failing_apis_exits_75_and_its_log_holds_no_key(
    keyed: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`tradewatch run --live` with both keys set, every API answering 503 with the request
    (key included) echoed back: exit 75, the failed source's rows unchanged, nothing
    published, no key in the run log. (Sources before it, e.g. the bundled reference
    lists, load atomically one by one and stay loaded.)"""
    census = "raw_census_country.monthly_flows"
    before = dict(raw_state(keyed.db_path))[census]
    census_country_cli(monkeypatch, FAULTS["http-503"](census_country_normal()))
    logs = tmp_path / "logs"

    result = CliRunner().invoke(app, ["run", "--live", "--no-freshness", "--log-dir", str(logs)])

    assert result.exit_code == 75, result.output
    assert dict(raw_state(keyed.db_path))[census] == before
    assert not keyed.published_dir.exists()
    (log_file,) = logs.glob("run-*.log")
    written = "\n".join([log_file.read_text(), result.output, stored_text(keyed)])
    assert "HTTP 503 after 3 attempts" in written
    for key in KEYS:
        assert key not in written
