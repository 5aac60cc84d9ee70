"""Keys never leave tradewatch: redacted from URLs and logs, scrubbed from text and bodies."""

from __future__ import annotations

import html
import json
import logging
import re
import urllib.parse

import httpx

SECRET_PARAMS = frozenset({"key", "api_key", "apikey", "token", "subscription-key"})
SECRET_HEADERS = frozenset({"authorization", "ocp-apim-subscription-key", "x-api-key"})


SECRET_IN_TEXT = re.compile(
    r"([?&](?:" + "|".join(re.escape(name) for name in SECRET_PARAMS) + r")=)[^&\s\"']+",
    re.IGNORECASE,
)


class RedactingFilter(logging.Filter):
    """httpx logs every request URL at INFO, key included: rewrite the record first."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = SECRET_IN_TEXT.sub(r"\1REDACTED", message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


for _name in ("httpx", "httpcore"):
    logging.getLogger(_name).addFilter(RedactingFilter())


def redact(url: httpx.URL | str) -> str:
    """The URL with every secret query parameter replaced by REDACTED."""
    parsed = httpx.URL(str(url))
    for name in list(parsed.params.keys()):
        if name.lower() in SECRET_PARAMS:
            parsed = parsed.copy_set_param(name, "REDACTED")
    return str(parsed)


def secret_forms(secret: str) -> list[str]:
    """Every way a key may be written back to us: raw, URL-encoded (as `quote`, `quote_plus`
    and httpx write it, upper- or lower-case hex), JSON- and HTML-escaped; longest first."""
    quoted = [urllib.parse.quote(secret, safe=""), urllib.parse.quote_plus(secret)]
    quoted += [urllib.parse.quote(secret), str(httpx.QueryParams({"k": secret}))[2:]]
    escaped = json.dumps(secret)[1:-1]
    forms = {secret, escaped, escaped.replace("/", "\\/"), html.escape(secret)}
    for form in quoted:
        forms |= {form, re.sub(r"%[0-9A-F]{2}", lambda hit: hit.group().lower(), form)}
    return sorted(forms, key=len, reverse=True)


def scrub(text: str, secrets: tuple[str, ...]) -> str:
    """Remove secret values, in any encoding, from free text (error messages, tracebacks)
    before storing it."""
    for secret in secrets:
        if secret:
            for form in secret_forms(secret):
                text = text.replace(form, "REDACTED")
    return text


def scrub_bytes(content: bytes, secrets: tuple[str, ...]) -> bytes:
    """The same for a refused answer's body, which may echo the request, key included."""
    for secret in secrets:
        if secret:
            for form in secret_forms(secret):
                content = content.replace(form.encode(), b"REDACTED")
    return content
