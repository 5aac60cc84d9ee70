"""Requests to the Census International Trade API and what its answers mean.

The query string is built by hand: httpx's `params=` would percent-encode the `*` of a
commodity wildcard, and the API's handling of `%2A` is unverified. The key is appended only
when the request is sent, so every URL that is stored or shown is key-free.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote

import httpx

from ingest.errors import AuthenticationError, SourceUnavailable, TradewatchError
from ingest.http import JSON, HttpClient, documented_body, get, looks_like_html, page_text, scrub

KEY_SIGNUP_URL = "https://api.census.gov/data/key_signup.html"
FIRST_MONTH = "2010-01"  # the API's coverage starts January 2010
MONTH_PATTERN = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
DEFAULT_WINDOW_MONTHS = 24


class InvalidOption(TradewatchError):
    """An option of the live ingest (--from, --to, --dataset) is not valid."""


class CensusQueryError(SourceUnavailable):
    """The API refused the query (HTTP 4xx): an unknown variable or a malformed predicate."""


@dataclass(frozen=True)
class Request:
    url: str  # key-free; also the payload's origin
    chunk: str


def build_url(
    base_url: str, endpoint: str, variables: list[str], predicates: list[tuple[str, str]]
) -> str:
    """`{base}/{exports|imports}/hs?get=A,B&PRED=value…`, with `*` and `,` left literal."""
    query = [f"get={','.join(variables)}"]
    query += [f"{name}={quote(value, safe='*-')}" for name, value in predicates]
    return f"{base_url}/{endpoint}/hs?{'&'.join(query)}"


def fetch(client: HttpClient, url: str, *, key: str | None) -> bytes | None:
    """The JSON body, or None for HTTP 204 (nothing published for this query)."""
    sent = f"{url}&key={quote(key, safe='')}" if key else url
    response = get(client, sent)
    secrets = (key,) if key else ()
    if response.status_code == 204:
        return None
    if response.status_code == 200:
        return _json_body(response, url, secrets)
    detail = _text(response, secrets) or "(empty body)"
    if 400 <= response.status_code < 500:
        raise CensusQueryError(f"{url}: HTTP {response.status_code}: {detail}")
    raise SourceUnavailable(f"{url}: unexpected HTTP {response.status_code}: {detail}")


def _json_body(response: httpx.Response, url: str, secrets: tuple[str, ...]) -> bytes:
    """The API's JSON array. Its page for a bad key comes first (a clearer message); any
    other answer that is not complete JSON follows the rule every live source does."""
    content = response.content
    if not content.lstrip().startswith(b"[") and (
        looks_like_html(content, response.headers.get("Content-Type", ""))
        or b"key" in content.lower()
    ):
        raise AuthenticationError(
            f"{url}: the Census API answered HTTP 200 with an HTML page instead of data "
            f"({scrub(page_text(content), secrets)!r}). This is how it reports a missing, "
            f"invalid or inactive key: set CENSUS_API_KEY to a key from {KEY_SIGNUP_URL}, "
            "activated from the e-mail link",
            received=content,
        )
    return documented_body(response, JSON)


def _text(response: httpx.Response, secrets: tuple[str, ...]) -> str:
    return scrub(" ".join(response.text.split()), secrets)[:500]  # scrub, then cut


def month_window(from_month: str | None, to_month: str | None, *, today: date) -> list[str]:
    """Every month from --from to --to; by default the 24 months before the current one."""
    last_default = _shift(f"{today:%Y-%m}", -1)
    end = _checked("--to", to_month) if to_month else last_default
    start = _checked("--from", from_month) if from_month else _shift(end, 1 - DEFAULT_WINDOW_MONTHS)
    if start > end:
        raise InvalidOption(f"--from {start} is after --to {end}")
    if start < FIRST_MONTH:
        raise InvalidOption(f"--from {start}: the Census API covers {FIRST_MONTH} onwards")
    if end > f"{today:%Y-%m}":
        raise InvalidOption(f"--to {end} is in the future")
    months = [start]
    while months[-1] < end:
        months.append(_shift(months[-1], 1))
    return months


def _checked(option: str, value: str) -> str:
    if not MONTH_PATTERN.match(value):
        raise InvalidOption(f"{option} {value!r}: not a month; write YYYY-MM, e.g. 2024-03")
    return value


def _shift(month: str, months: int) -> str:
    index = int(month[:4]) * 12 + int(month[5:]) - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"
