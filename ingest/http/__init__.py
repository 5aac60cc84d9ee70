"""The one HTTP client every source uses: timeouts, a User-Agent, retries, redaction.

httpx's own `retries=` only covers failed connections, so status-based retries live here.
"""

from __future__ import annotations

import email.utils
import logging
import threading
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from types import TracebackType

import httpx

from ingest import __version__
from ingest.errors import SourceUnavailable
from ingest.http.bodies import CSV, JSON, XLSX, ZIP, documented_body, looks_like_html, page_text
from ingest.http.secrets import (
    SECRET_HEADERS,
    SECRET_IN_TEXT,
    SECRET_PARAMS,
    redact,
    scrub,
    scrub_bytes,
    secret_forms,
)

__all__ = [
    "CSV",
    "JSON",
    "SECRET_PARAMS",
    "XLSX",
    "ZIP",
    "HttpClient",
    "RetryPolicy",
    "documented_body",
    "download_progress",
    "fetch_bytes",
    "get",
    "looks_like_html",
    "make_client",
    "page_text",
    "redact",
    "scrub",
    "scrub_bytes",
    "secret_forms",
]

log = logging.getLogger(__name__)

USER_AGENT = f"tradewatch/{__version__} (+https://github.com/tradewatch/tradewatch)"
RETRYABLE_ERRORS = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)
DEFAULT_MAX_BYTES = 2 * 1024**3  # a response larger than this is refused, never buffered
DEFAULT_DEADLINE_S = 900.0  # one request: redirects, headers and body included
MAX_REDIRECTS = 5
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


ProgressCallback = Callable[[int, int | None], None]
# the CLI sets this to draw a download bar; library code never prints
download_progress: ContextVar[Callable[[str], ProgressCallback] | None] = ContextVar(
    "download_progress", default=None
)


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5
    base_wait_s: float = 1.0
    max_wait_s: float = 60.0

    def wait_s(self, attempt: int, response: httpx.Response | None = None) -> float:
        """Retry-After (seconds or an HTTP date) wins; otherwise 1, 2, 4 … s, capped."""
        asked = _retry_after_s(response) if response is not None else None
        if asked is not None:
            if asked > self.max_wait_s:
                raise SourceUnavailable(
                    f"server asked to retry after {asked:.0f} s, more than the "
                    f"{self.max_wait_s:.0f} s tradewatch waits; try again later"
                )
            return asked
        return min(self.base_wait_s * 2 ** (attempt - 1), self.max_wait_s)


DEFAULT_POLICY = RetryPolicy()


@dataclass(frozen=True)
class HttpClient:
    """The one client every source fetches with: an httpx session plus the rules every
    request follows (retries, size limit, deadline, redirects). Built once per run from the
    settings (`pipeline.http_client`); a source declares only what differs for it
    (`with_policy`), and a test records waits instead of sleeping (`sleep`)."""

    session: httpx.Client
    policy: RetryPolicy = DEFAULT_POLICY
    max_bytes: int = DEFAULT_MAX_BYTES  # a response larger than this is refused
    deadline_s: float = DEFAULT_DEADLINE_S  # one request: redirects, headers and body included
    # None: time.sleep, looked up at each wait so that a test can stop every wait
    sleep: Callable[[float], None] | None = None

    def with_policy(
        self, *, base_wait_s: float | None = None, max_wait_s: float | None = None
    ) -> HttpClient:
        """This client, its retry policy waiting differently (e.g. Comtrade's longer base
        wait); the number of attempts stays the run's (TRADEWATCH_HTTP_ATTEMPTS)."""
        policy = replace(
            self.policy,
            base_wait_s=self.policy.base_wait_s if base_wait_s is None else base_wait_s,
            max_wait_s=self.policy.max_wait_s if max_wait_s is None else max_wait_s,
        )
        return replace(self, policy=policy)

    def wait(self, seconds: float) -> None:
        (self.sleep or time.sleep)(seconds)

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def make_client(
    *,
    timeout_s: float = 60.0,
    transport: httpx.BaseTransport | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    deadline_s: float = DEFAULT_DEADLINE_S,
    policy: RetryPolicy = DEFAULT_POLICY,
    sleep: Callable[[float], None] | None = None,
) -> HttpClient:
    """Redirects are followed by `get` itself, not httpx: httpx drops `Authorization` on a
    cross-origin hop but keeps custom key headers (Comtrade's `Ocp-Apim-Subscription-Key`)."""
    session = httpx.Client(
        timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 15.0)),
        headers={"User-Agent": USER_AGENT},
        follow_redirects=False,
        transport=transport,
    )
    return HttpClient(session, policy, max_bytes, deadline_s, sleep)


def get(
    client: HttpClient,
    url: str,
    *,
    params: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    progress: ProgressCallback | None = None,
) -> httpx.Response:
    """GET with retries on 429, 5xx, timeouts and dropped connections, as the client's policy
    says; body fully read, up to the client's size limit and deadline. Any other transport,
    protocol, decoding or redirect failure is SourceUnavailable at once (exit 75)."""
    request = client.session.build_request("GET", url, params=params, headers=headers)
    shown = redact(request.url)
    if progress is None and (factory := download_progress.get()) is not None:
        progress = factory(shown)
    secret_headers = SECRET_HEADERS | {name.lower() for name in headers or {}}
    policy = client.policy
    attempts = max(1, policy.attempts)
    for attempt in range(1, attempts + 1):
        try:
            response = _follow(client, request, secret_headers, progress)
        except RETRYABLE_ERRORS as error:
            if attempt == attempts:
                raise SourceUnavailable(
                    f"{shown}: {type(error).__name__} after {attempt} attempts"
                ) from None
            wait = policy.wait_s(attempt)
            log.warning("%s: %s, retrying in %.1f s", shown, type(error).__name__, wait)
            client.wait(wait)
            continue
        except httpx.HTTPError as error:  # decoding, local protocol, unsupported scheme …
            detail = SECRET_IN_TEXT.sub(r"\1REDACTED", " ".join(str(error).split()))[:300]
            raise SourceUnavailable(f"{shown}: {type(error).__name__}: {detail}") from None
        if response.status_code != 429 and response.status_code < 500:
            return response
        if attempt == attempts:
            raise SourceUnavailable(
                f"{shown}: HTTP {response.status_code} after {attempt} attempts"
            )
        wait = policy.wait_s(attempt, response)
        log.warning("%s: HTTP %s, retrying in %.1f s", shown, response.status_code, wait)
        client.wait(wait)
    raise SourceUnavailable(f"{shown}: no attempt made")  # pragma: no cover - attempts >= 1


def _follow(
    client: HttpClient,
    request: httpx.Request,
    secret_headers: frozenset[str] | set[str],
    progress: ProgressCallback | None,
) -> httpx.Response:
    """Send, following at most MAX_REDIRECTS redirects to http(s) URLs; a hop to another
    origin (scheme, host, port) goes without the caller's key headers."""
    deadline = time.monotonic() + client.deadline_s
    origin = _origin(request.url)
    for _ in range(MAX_REDIRECTS + 1):
        response = _send(client, request, progress=progress, deadline=deadline)
        location = response.headers.get("Location")
        if response.status_code not in REDIRECT_STATUSES or not location:
            return response
        request = _redirected(request, location, origin, secret_headers)
    raise SourceUnavailable(
        f"{redact(request.url)}: more than {MAX_REDIRECTS} redirects (a redirect loop?)"
    )


def _redirected(
    request: httpx.Request,
    location: str,
    origin: tuple[str, str, int | None],
    secret_headers: frozenset[str] | set[str],
) -> httpx.Request:
    try:
        target = request.url.join(location)
    except httpx.InvalidURL as error:
        raise SourceUnavailable(
            f"{redact(request.url)}: redirect to an invalid URL: {error}"
        ) from None
    if target.scheme not in ("http", "https"):
        raise SourceUnavailable(
            f"{redact(request.url)}: redirect to a {target.scheme or 'relative'}: URL "
            f"({redact(target)}); only http and https are followed"
        )
    headers = httpx.Headers(request.headers)
    del headers["Host"]
    if _origin(target) != origin:
        for name in list(headers.keys()):
            if name.lower() in secret_headers:
                del headers[name]
    return httpx.Request("GET", target, headers=headers, extensions=request.extensions)


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    default = {"http": 80, "https": 443}.get(url.scheme)
    return url.scheme, url.host, url.port or default


def fetch_bytes(
    client: HttpClient, url: str, *, expected: str, params: dict[str, str] | None = None
) -> bytes:
    """The body of a successful GET, if it is a complete `expected` document (see
    `documented_body`); any other final status is SourceUnavailable."""
    response = get(client, url, params=params)
    if not response.is_success:
        detail = " ".join(response.text[:200].split())
        raise SourceUnavailable(
            f"{redact(response.request.url)}: HTTP {response.status_code} {detail}"
        )
    return documented_body(response, expected)


def _send(
    client: HttpClient,
    request: httpx.Request,
    *,
    progress: ProgressCallback | None,
    deadline: float,
) -> httpx.Response:
    response = _headers_within(client, request, deadline)
    max_bytes = client.max_bytes
    try:
        total = _content_length(response)
        if total is not None and total > max_bytes:
            raise SourceUnavailable(
                f"{redact(request.url)}: response of {total:,} bytes exceeds the "
                f"{max_bytes:,}-byte limit"
            )
        chunks: list[bytes] = []
        received = 0
        for chunk in response.iter_bytes():
            received += len(chunk)
            if received > max_bytes:
                raise SourceUnavailable(
                    f"{redact(request.url)}: response exceeds the {max_bytes:,}-byte limit"
                )
            if time.monotonic() > deadline:
                raise SourceUnavailable(
                    f"{redact(request.url)}: not complete within the {client.deadline_s:g} s "
                    f"deadline ({received:,} bytes received; TRADEWATCH_HTTP_DEADLINE_S)"
                )
            chunks.append(chunk)
            if progress is not None:
                progress(received, total)
    finally:
        response.close()
    return httpx.Response(
        response.status_code,
        headers=response.headers,
        content=b"".join(chunks),
        request=request,
    )


def _headers_within(client: HttpClient, request: httpx.Request, deadline: float) -> httpx.Response:
    """The response, once its headers are in, by the deadline. Each read is bounded by the
    read timeout, so a server dripping its header bytes would stretch this without end; the
    send waits in a daemon thread, which a run that gives up leaves behind, never waits for."""
    outcome: list[httpx.Response | BaseException] = []

    def send() -> None:
        try:
            outcome.append(client.session.send(request, stream=True))
        except BaseException as error:  # handed to the caller as raised
            outcome.append(error)

    sender = threading.Thread(target=send, name="tradewatch-http-send", daemon=True)
    sender.start()
    sender.join(max(0.0, deadline - time.monotonic()))
    if not outcome:
        raise SourceUnavailable(
            f"{redact(request.url)}: no response headers within the {client.deadline_s:g} s "
            "deadline (TRADEWATCH_HTTP_DEADLINE_S)"
        )
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return outcome[0]


def _content_length(response: httpx.Response) -> int | None:
    value = response.headers.get("Content-Length", "")
    return int(value) if value.isdigit() else None


def _retry_after_s(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
