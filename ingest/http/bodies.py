"""Whether a live answer is data: a complete document of the format the API documents."""

from __future__ import annotations

import io
import json
import re
import zipfile

import httpx

from ingest.errors import UnusableResponse
from ingest.http.secrets import redact

# the body formats live APIs document; `documented_body` checks an answer is one, complete
JSON, ZIP, XLSX, CSV = "JSON", "zip archive", "xlsx workbook", "CSV file"
HTML_HINTS = (b"<html", b"<!doctype", b"<head", b"<body")


def documented_body(response: httpx.Response, expected: str) -> bytes:
    """The one rule for every live answer: a body counts as data only if it is a complete,
    decodable document of the format the API documents (`expected`: JSON, ZIP, XLSX, CSV).
    An empty answer (an undocumented 204), an HTML page or a body cut short means the source
    is unavailable: `UnusableResponse`, exit 75, carrying the bytes so the loader archives
    them. Whether a complete document has the expected columns is the parser's question
    (`ParseError`/`SchemaDrift`, exit 1). An API that documents 204 as "no data" (the Census
    API) checks for it before calling this."""
    content = response.content
    problem = (
        "(No Content)"
        if response.status_code == 204
        else _format_problem(content, response.headers.get("Content-Type", ""), expected)
    )
    if problem is None:
        return content
    raise UnusableResponse(
        f"{redact(response.request.url)}: HTTP {response.status_code} {problem} "
        f"instead of the {expected} the API documents",
        received=content,
    )


def looks_like_html(content: bytes, content_type: str = "") -> bool:
    return "html" in content_type.lower() or content.lstrip()[:64].lower().startswith(HTML_HINTS)


def _format_problem(content: bytes, content_type: str, expected: str) -> str | None:
    if not content.strip():
        return "with an empty body"
    if looks_like_html(content):
        return f"with an HTML page ({page_text(content)!r})"
    if expected == JSON:
        try:
            json.loads(content)
        except (ValueError, RecursionError) as error:  # UnicodeDecodeError is a ValueError
            return f"with a body that is not complete JSON ({error})"
    elif expected in (ZIP, XLSX):  # an xlsx workbook is a zip archive
        return _zip_problem(content)
    elif looks_like_html(content, content_type):  # only the header can tell a CSV from a page
        return f"with an HTML page ({page_text(content)!r})"
    return None


def _zip_problem(content: bytes) -> str | None:
    """A zip's directory is at its end: a body cut short has none, or points past the end."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
    except Exception as error:  # untrusted bytes: any reader error means "not a zip"
        return f"with a body that is not a complete zip archive ({error})"
    size = len(content)
    outside = [
        m.filename
        for m in members
        if m.header_offset < 0 or m.header_offset + m.compress_size > size
    ]
    if outside:
        return f"with a zip archive cut short ({outside[0]} lies outside its {size:,} bytes)"
    return None


def page_text(content: bytes) -> str:
    """The readable words of an HTML page (or the start of any body), for an error message."""
    text = content[:4096].decode("utf-8", errors="replace")
    return " ".join(re.sub(r"<[^>]*>", " ", text).split())[:200]
