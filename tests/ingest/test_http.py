from __future__ import annotations

import email.utils
import io
import json
import zipfile
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from ingest.errors import SourceUnavailable, UnusableResponse
from ingest.http import (
    CSV,
    JSON,
    XLSX,
    ZIP,
    HttpClient,
    RetryPolicy,
    fetch_bytes,
    get,
    make_client,
    redact,
    scrub,
    scrub_bytes,
)

URL = "https://api.example.test/data"


def replying(*responses: httpx.Response | Exception) -> tuple[HttpClient, list[httpx.Request]]:
    replies = iter(responses)
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        reply = next(replies)
        if isinstance(reply, Exception):
            raise reply
        return reply

    return make_client(transport=httpx.MockTransport(handler)), seen


def test_retries_429_and_honours_retry_after_seconds() -> None:
    client, seen = replying(httpx.Response(429, headers={"Retry-After": "3"}), httpx.Response(200))
    waits: list[float] = []
    assert get(replace(client, sleep=waits.append), URL).status_code == 200
    assert waits == [3.0]
    assert len(seen) == 2


def test_retry_after_as_http_date() -> None:
    when = email.utils.format_datetime(datetime.now(UTC) + timedelta(seconds=20), usegmt=True)
    client, _ = replying(httpx.Response(429, headers={"Retry-After": when}), httpx.Response(200))
    waits: list[float] = []
    get(replace(client, sleep=waits.append), URL)
    assert 15 <= waits[0] <= 20


def test_retry_after_beyond_the_cap_fails_instead_of_hanging() -> None:
    client, _ = replying(httpx.Response(429, headers={"Retry-After": "3600"}))
    with pytest.raises(SourceUnavailable, match="3600 s"):
        get(replace(client, sleep=lambda _: None), URL)


def test_503_then_success_backs_off_exponentially() -> None:
    client, _ = replying(httpx.Response(503), httpx.Response(502), httpx.Response(200, text="ok"))
    waits: list[float] = []
    assert get(replace(client, sleep=waits.append), URL).text == "ok"
    assert waits == [1.0, 2.0]


@pytest.mark.parametrize(
    "failure",
    [
        pytest.param(httpx.ReadTimeout("slow"), id="read-timeout"),
        pytest.param(httpx.ConnectTimeout("slow"), id="connect-timeout"),
        pytest.param(httpx.ConnectError("refused"), id="connection-refused"),
        pytest.param(httpx.RemoteProtocolError("reset"), id="connection-reset"),
    ],
)
def test_timeouts_and_connection_errors_are_retried(failure: Exception) -> None:
    client, seen = replying(failure, httpx.Response(200))
    assert get(replace(client, sleep=lambda _: None), URL).status_code == 200
    assert len(seen) == 2


def test_bounded_attempts_then_source_unavailable() -> None:
    client, seen = replying(*[httpx.Response(500)] * 3)
    with pytest.raises(SourceUnavailable, match="HTTP 500 after 3 attempts"):
        get(replace(client, policy=RetryPolicy(attempts=3), sleep=lambda _: None), URL)
    assert len(seen) == 3


def test_client_errors_are_not_retried_and_fetch_bytes_names_the_status() -> None:
    client, seen = replying(httpx.Response(404, text="Not Found"))
    with pytest.raises(SourceUnavailable, match="HTTP 404 Not Found"):
        fetch_bytes(replace(client, sleep=lambda _: None), URL, expected=JSON)
    assert len(seen) == 1


def a_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as packed:
        packed.writestr("xl/workbook.xml", "<workbook/>" * 500)
        packed.writestr("xl/worksheets/sheet1.xml", "<row/>" * 500)
    return buffer.getvalue()


JSON_BODY = json.dumps([["CTY_CODE", "time"], ["4890", "2024-01"]]).encode()
PAGE = b"<!DOCTYPE html><html><body><h1>Service unavailable</h1></body></html>"


@pytest.mark.parametrize(
    ("expected", "content"),
    [(JSON, JSON_BODY), (ZIP, a_zip()), (XLSX, a_zip()), (CSV, b"year,value\n2024,1\n")],
)
def test_a_complete_body_of_the_documented_format_is_returned_as_is(
    expected: str, content: bytes
) -> None:
    client, _ = replying(httpx.Response(200, content=content))
    assert fetch_bytes(client, URL, expected=expected) == content


@pytest.mark.parametrize(
    ("expected", "reply", "problem"),
    [
        pytest.param(
            JSON, httpx.Response(200, content=JSON_BODY[:20]), "not complete JSON", id="json-cut"
        ),
        pytest.param(
            ZIP,
            httpx.Response(200, content=a_zip()[:-30]),
            "not a complete zip archive",
            id="zip-cut",
        ),
        pytest.param(
            XLSX,
            httpx.Response(200, content=a_zip()[:150]),
            "not a complete zip archive",
            id="xlsx-cut",
        ),
        pytest.param(
            JSON,
            httpx.Response(200, content=PAGE),
            "HTML page ('Service unavailable')",
            id="json-html-page",
        ),
        pytest.param(
            CSV,
            httpx.Response(200, content=PAGE),
            "HTML page ('Service unavailable')",
            id="csv-html-page",
        ),
        pytest.param(
            CSV,
            httpx.Response(200, content=b"<p>down</p>", headers={"Content-Type": "text/html"}),
            "HTML page ('down')",
            id="csv-html-content-type",
        ),
        pytest.param(
            XLSX,
            httpx.Response(204),
            "HTTP 204 (No Content) instead of the xlsx workbook",
            id="xlsx-204",
        ),
        pytest.param(
            JSON,
            httpx.Response(200, content=b" \n"),
            "HTTP 200 with an empty body",
            id="json-empty",
        ),
    ],
)
def test_an_answer_that_is_not_a_complete_documented_body_is_unusable_and_kept(
    expected: str, reply: httpx.Response, problem: str
) -> None:
    client, _ = replying(reply)
    with pytest.raises(UnusableResponse) as caught:
        fetch_bytes(client, URL, expected=expected)
    assert problem in str(caught.value) and URL in str(caught.value)
    assert caught.value.exit_code == 75
    assert caught.value.received == reply.content  # handed to the loader to archive


def test_complete_json_is_data_whatever_content_type_the_server_sends() -> None:
    client, _ = replying(
        httpx.Response(200, content=JSON_BODY, headers={"Content-Type": "text/html"})
    )
    assert fetch_bytes(client, URL, expected=JSON) == JSON_BODY


def test_a_zip_whose_directory_points_past_its_end_is_cut_short() -> None:
    whole = a_zip()
    directory = whole.index(b"PK\x01\x02")
    # the members' data lost, the directory kept: it now points past the end
    cut = whole[:40] + whole[directory:]
    client, _ = replying(httpx.Response(200, content=cut))
    with pytest.raises(UnusableResponse, match="a zip archive cut short"):
        fetch_bytes(client, URL, expected=ZIP)


def test_sends_a_user_agent() -> None:
    client, seen = replying(httpx.Response(200))
    get(client, URL)
    assert seen[0].headers["User-Agent"].startswith("tradewatch/")


def test_refuses_a_response_over_the_size_limit() -> None:
    client, _ = replying(httpx.Response(200, content=b"x" * 2048))
    with pytest.raises(SourceUnavailable, match="exceeds"):
        get(replace(client, max_bytes=1024), URL)


def test_reports_download_progress() -> None:
    client, _ = replying(httpx.Response(200, content=b"x" * 100))
    seen: list[int] = []
    get(client, URL, progress=lambda done, total: seen.append(done))
    assert seen[-1] == 100


@pytest.mark.parametrize("name", ["key", "KEY", "token", "subscription-key"])
def test_redact_hides_secret_query_parameters(name: str) -> None:
    shown = redact(f"https://api.census.gov/data?get=X&{name}=s3cret&time=2024-01")
    assert "s3cret" not in shown
    assert "REDACTED" in shown and "time=2024-01" in shown


def test_error_messages_never_carry_the_key() -> None:
    client, _ = replying(*[httpx.ReadTimeout("slow")] * 2)
    with pytest.raises(SourceUnavailable) as caught:
        quiet = replace(client, policy=RetryPolicy(attempts=2), sleep=lambda _: None)
        get(quiet, f"{URL}?key=s3cret")
    assert "s3cret" not in str(caught.value)


def test_scrub_removes_secret_values_from_free_text() -> None:
    assert scrub("failed for key s3cret at s3cret", ("s3cret",)) == (
        "failed for key REDACTED at REDACTED"
    )
    assert scrub_bytes(b"<p>key=s3cret</p>", ("s3cret", "")) == b"<p>key=REDACTED</p>"


def test_httpx_request_logs_never_carry_the_key(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG")
    client, _ = replying(httpx.Response(200))
    get(client, f"{URL}?get=ALL_VAL_MO&key=s3cret")
    assert "HTTP Request" in caplog.text
    assert "s3cret" not in caplog.text
