"""Calls to the Comtrade API: the key header, the daily budget, the pause between calls and
the split of truncated answers; each answer becomes one chunk's payload."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import httpx

from ingest import ledger
from ingest.errors import AuthenticationError, SourceUnavailable, TradewatchError
from ingest.http import JSON, HttpClient, documented_body, get, redact
from ingest.settings import Settings
from ingest.sources.base import Dataset, Payload
from ingest.sources.comtrade.parse import parse_response
from ingest.sources.comtrade.queries import Query
from ingest.sources.comtrade.records import ANNUAL, MONTHLY, SOURCE

KEY_HEADER = "Ocp-Apim-Subscription-Key"
PREVIEW_MAX_RECORDS = 500
MAX_PERIODS_PER_CALL = 12  # comtradr refuses more; the API's URL length is the real bound


# Comtrade's rate limit resets slowly: its retries start at 2 s, not the client's 1 s
BASE_WAIT_S = 2.0


class Caller:
    """Requests with the daily budget, the pause between calls and truncation splits."""

    def __init__(self, settings: Settings, client: HttpClient, vintage: str) -> None:
        self.settings, self.vintage = settings, vintage
        self.client = client.with_policy(base_wait_s=BASE_WAIT_S)
        self.keyed = settings.comtrade_api_key is not None
        self.cap = settings.comtrade_max_records if self.keyed else PREVIEW_MAX_RECORDS
        self.budget = settings.comtrade_calls_per_day - _calls_today(settings, vintage)
        self.calls = 0

    def payloads(self, dataset: Dataset, query: Query, done: set[str]) -> Iterator[Payload]:
        chunk = query.chunk()
        parse = partial(parse_response, vintage=self.vintage)
        url = self._url(query.freq)
        origin = str(httpx.URL(url, params=query.params(self.cap)))
        if chunk in done:
            return
        try:
            body = self._call(url, query)
        except TradewatchError as error:
            yield Payload(dataset, redact(origin), _raise(error), chunk=chunk, parse=parse)
            return
        content = body["_bytes"]
        if body["data"] is None:  # not the documented shape: the parser says what is wrong
            yield Payload(dataset, redact(origin), lambda: content, chunk=chunk, parse=parse)
            return
        count = len(body["data"])
        if count >= self.cap:
            parts = query.split()
            if not parts:
                unsplittable = SourceUnavailable(
                    f"{redact(origin)}: {count} records, the per-call "
                    "limit, and the request cannot be split further"
                )
                yield Payload(
                    dataset, redact(origin), _raise(unsplittable), chunk=chunk, parse=parse
                )
                return
            for part in parts:
                yield from self.payloads(dataset, part, done)
            return
        fetch = (lambda: content) if count else (lambda: None)
        yield Payload(dataset, redact(origin), fetch, chunk=chunk, parse=parse)

    def _url(self, freq: str) -> str:
        base = self.settings.comtrade_base_url
        if self.keyed:
            return f"{base}/data/v1/get/C/{freq}/HS"
        return f"{base}/public/v1/preview/C/{freq}/HS"

    def _call(self, url: str, query: Query) -> dict[str, Any]:
        if self.calls >= self.budget:
            raise SourceUnavailable(
                f"UN Comtrade: the daily budget of {self.settings.comtrade_calls_per_day} calls "
                "is used up (COMTRADE_CALLS_PER_DAY); run again tomorrow"
            )
        if self.calls:
            self.client.wait(self.settings.comtrade_pause_s)
        self.calls += 1
        key = self.settings.comtrade_api_key
        headers = {KEY_HEADER: key} if key is not None else {}
        response = get(self.client, url, params=query.params(self.cap), headers=headers)
        return _checked_body(response)


def _checked_body(response: httpx.Response) -> dict[str, Any]:
    """Comtrade's official client only prints errors; tradewatch raises on every one. A body
    that is complete JSON but has no `data` list is handed on as it is: the parser names it
    (a changed shape, exit 1)."""
    shown = redact(response.request.url)
    try:
        body = response.json()
    except ValueError:
        body = None
    message = ""
    if isinstance(body, dict):
        message = str(body.get("message") or body.get("error") or "")
    if response.status_code in (401, 403):
        raise AuthenticationError(
            f"{shown}: HTTP {response.status_code}: "
            f"{message or 'the API refused the key'} (COMTRADE_API_KEY)"
        )
    if not response.is_success:
        detail = message or " ".join(response.text[:200].split())
        raise SourceUnavailable(f"{shown}: HTTP {response.status_code}: {detail}")
    content = documented_body(response, JSON)
    if isinstance(body, dict) and body.get("error"):
        raise SourceUnavailable(
            f"{shown}: UN Comtrade reports an error: {body['error']}", received=content
        )
    data = body.get("data") if isinstance(body, dict) else None
    return {"data": data if isinstance(data, list) else None, "_bytes": content}


def _calls_today(settings: Settings, today: str) -> int:
    """API calls already made today (UTC), one ledger row each (retries not counted)."""
    if not settings.db_path.exists():
        return 0
    return ledger.requests_on(settings.db_path, SOURCE, (ANNUAL.name, MONTHLY.name), today)


def _raise(error: TradewatchError) -> Callable[[], bytes | None]:
    def fetch() -> bytes | None:
        raise error

    return fetch
