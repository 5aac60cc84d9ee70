"""The shared HTTP client at its edges: keys never follow a redirect to another origin, a
server dripping bytes meets an overall deadline, a key from a CRLF env file is refused at
start-up, and a key is scrubbed in every encoding a server may echo it back in."""

from __future__ import annotations

import re
import socket
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from typer.testing import CliRunner

from ingest.cli import app
from ingest.errors import TradewatchError
from ingest.http import get, make_client, scrub, scrub_bytes
from ingest.settings import Settings
from ingest.sources.comtrade import KEY_HEADER
from tests.ingest.sources.test_comtrade import body, matching, records, run_live
from tests.ingest.test_loader import ledger
from tests.reliability.test_http_faults import stored_text

KEY = "Sec+ret/key=9d2e 6b13&c87f"  # every character URL encoding changes; not a real key
CLEAN_KEY = "comtrade-secret-9d2e6b13c87f4a0e"


def test_a_key_header_does_not_follow_a_redirect_to_another_origin() -> None:
    seen: dict[str, httpx.Headers] = {}

    def handle(request: httpx.Request) -> httpx.Response:
        seen[str(request.url)] = request.headers
        if request.url.host == "api.example" and request.url.path == "/first":
            return httpx.Response(302, headers={"Location": "/second"})
        if request.url.host == "api.example":
            return httpx.Response(302, headers={"Location": "https://elsewhere.example/x"})
        return httpx.Response(200, content=b"{}")

    with make_client(transport=httpx.MockTransport(handle)) as client:
        response = get(client, "https://api.example/first", headers={KEY_HEADER: CLEAN_KEY})

    assert response.status_code == 200
    assert seen["https://api.example/second"][KEY_HEADER] == CLEAN_KEY  # same origin: kept
    assert KEY_HEADER not in seen["https://elsewhere.example/x"]
    assert CLEAN_KEY not in str(seen["https://elsewhere.example/x"])


def test_a_keyed_comtrade_run_redirected_elsewhere_never_sends_the_key_there(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COMTRADE_API_KEY", CLEAN_KEY)
    monkeypatch.setenv("COMTRADE_PAUSE_S", "0")
    pool = records()
    elsewhere: list[httpx.Headers] = []

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.host != "mirror.example":
            moved = request.url.copy_with(scheme="http", host="mirror.example")
            return httpx.Response(307, headers={"Location": str(moved)})
        elsewhere.append(request.headers)
        return httpx.Response(200, content=body(matching(request, pool)))

    results = run_live(Settings.from_env(), handle)

    assert results and elsewhere
    assert all(KEY_HEADER not in headers for headers in elsewhere)


@contextmanager
def _dripping(head: bytes) -> Iterator[str]:
    """127.0.0.1: `head` at once, then one byte every half second, at most 40."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(10)
    stop = threading.Event()

    def serve() -> None:
        try:
            connection, _ = listener.accept()
        except OSError:
            return
        with connection:
            connection.recv(65536)
            connection.sendall(head)
            for _ in range(40):
                if stop.wait(0.5):
                    return
                try:
                    connection.sendall(b"P")
                except OSError:
                    return

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/country.xlsx"
    stop.set()
    listener.close()
    thread.join(timeout=5)


@pytest.mark.parametrize(
    ("head", "said"),
    [
        (b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", "not complete within the 1 s"),
        (b"HTTP/1.1 200 OK\r\nX-Slow: ", "no response headers within the 1 s"),
    ],
    ids=["body", "headers"],
)
def test_a_server_dripping_bytes_meets_the_deadline_and_the_run_fails_75(
    seeded_settings: Settings, monkeypatch: pytest.MonkeyPatch, head: bytes, said: str
) -> None:
    monkeypatch.setenv("TRADEWATCH_HTTP_TIMEOUT_S", "5")  # every read arrives well within it
    monkeypatch.setenv("TRADEWATCH_HTTP_DEADLINE_S", "1")
    before = ledger(seeded_settings.db_path)

    with _dripping(head) as url:
        monkeypatch.setenv("CENSUS_BALANCE_URL", url)
        started = time.monotonic()
        result = CliRunner().invoke(app, ["ingest", "census-country", "--live"])
        took_s = time.monotonic() - started

    assert result.exit_code == 75, result.output
    assert said in " ".join(result.output.split())
    assert "TRADEWATCH_HTTP_DEADLINE_S" in result.output
    assert took_s < 10  # the drip would last 20 s; one attempt ends at the 1 s deadline
    new = ledger(seeded_settings.db_path)[len(before) :]
    assert [entry["status"] for entry in new] == ["failed"]


@pytest.mark.parametrize("variable", ["CENSUS_API_KEY", "COMTRADE_API_KEY"])
@pytest.mark.parametrize("bad", ["secret-key\r", "secret\nkey", "secret key", "secret\tkey"])
def test_a_key_with_a_control_character_is_refused_at_start_up_in_one_line(
    variable: str, bad: str, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(variable, bad)

    result = CliRunner().invoke(app, ["ingest", "comtrade", "--live"])

    assert result.exit_code == 2, result.output
    assert variable in result.output and "control character" in result.output
    assert "Traceback" not in result.output and "secret" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_a_key_is_scrubbed_in_every_encoding() -> None:
    echoed = " ".join(
        [
            KEY,
            urllib.parse.quote(KEY, safe=""),
            re.sub("%[0-9A-F]{2}", lambda hit: hit.group().lower(), urllib.parse.quote(KEY)),
            urllib.parse.quote_plus(KEY),
            str(httpx.QueryParams({"key": KEY})),
            '{"key": "' + KEY.replace("/", "\\/") + '"}',
        ]
    )
    assert "Sec" not in scrub(echoed, (KEY,)).replace("REDACTED", "")
    assert b"Sec" not in scrub_bytes(echoed.encode(), (KEY,)).replace(b"REDACTED", b"")


def test_a_url_encoded_key_echoed_by_an_error_page_reaches_nothing(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COMTRADE_API_KEY", KEY.replace(" ", "_"))
    monkeypatch.setenv("COMTRADE_PAUSE_S", "0")
    monkeypatch.setenv("TRADEWATCH_HTTP_ATTEMPTS", "1")
    key = KEY.replace(" ", "_")

    def handle(request: httpx.Request) -> httpx.Response:
        page = f"<html><body>bad key {urllib.parse.quote(key, safe='')} for {request.url}"
        return httpx.Response(200, headers={"Content-Type": "text/html"}, text=page)

    with pytest.raises(TradewatchError) as raised:
        run_live(Settings.from_env(), handle)

    assert raised.value.exit_code == 75
    everything = str(raised.value) + stored_text(Settings.from_env())
    for form in (key, urllib.parse.quote(key, safe=""), urllib.parse.quote_plus(key)):
        assert form not in everything
