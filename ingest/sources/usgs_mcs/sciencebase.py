"""The live path: USGS data releases on ScienceBase (www.sciencebase.gov/catalog).

Each Mineral Commodity Summaries edition is one ScienceBase item. Its JSON view
(`{base}/item/{id}?format=json`) lists the attached files with a `downloadUri`; the per-commodity
CSVs are either attached directly or packed in zips named for their kind (`salient.zip`,
`world.zip`). The rare-earth CSVs are `mcsYYYY-raree_salient.csv` and `mcsYYYY-raree_world.csv`
(USGS spelled the 2025 salient file `rareee`).
"""

from __future__ import annotations

import io
import json
import re
import zipfile
import zlib
from dataclasses import dataclass
from typing import Any

import httpx

from ingest.errors import ParseError, SourceUnavailable, UnusableResponse
from ingest.http import CSV, JSON, ZIP, HttpClient, fetch_bytes, redact

# the item of each edition's whole data release (DOIs in release.RELEASE_DOIS)
EDITION_ITEMS = {
    "MCS2022": "6197ccbed34eb622f692ee1c",
    "MCS2023": "63b5f411d34e92aad3caa57f",
    "MCS2024": "65a6e45fd34e5af967a46749",
    "MCS2025": "677eaf95d34e760b392c4970",
}
KINDS = ("salient", "world")
# MCS 2025 publishes world data as one all-commodity file in another layout, not parsed here
EDITION_KINDS = {"MCS2025": ("salient",)}
MAX_MEMBER_BYTES = 50 * 1024**2


@dataclass(frozen=True)
class ScienceBase:
    base_url: str  # e.g. https://www.sciencebase.gov/catalog
    client: HttpClient

    def item_url(self, edition: str) -> str:
        return f"{self.base_url.rstrip('/')}/item/{EDITION_ITEMS[edition]}"

    def origin(self, edition: str, kind: str) -> str:
        """What the ledger shows: the item page and the file looked for."""
        return f"{self.item_url(edition)}#{edition.lower()}-raree_{kind}.csv"

    def fetch(self, edition: str, kind: str) -> bytes:
        """The rare-earths CSV of an edition. An answer that is not a complete JSON, zip or
        CSV is `UnusableResponse` (exit 75, see `documented_body`); an item or zip that is
        complete but lacks what it always held is a changed layout: `ParseError` (exit 1),
        carrying the item JSON so it is archived."""
        item = self._download(self.item_url(edition), JSON, params={"format": "json"})
        files = _files(item, self.item_url(edition))
        member = _member_pattern(edition, kind)
        for name, url in files:
            if member.search(name):
                return self._download(url, CSV)
        for name, url in files:
            if name.lower().endswith(".zip") and kind in name.lower():
                found = _extract(self._download(url, ZIP), member, url)
                if found is not None:
                    return found
        names = ", ".join(name for name, _ in files) or "none"
        raise ParseError(
            f"{self.item_url(edition)} ({edition}): no rare-earths {kind} CSV among its files "
            f"({names})",
            received=item,
        )

    def _download(self, url: str, expected: str, params: dict[str, str] | None = None) -> bytes:
        return fetch_bytes(self.client, url, expected=expected, params=params)


def _files(body: bytes, url: str) -> list[tuple[str, str]]:
    item = json.loads(body)  # complete JSON: `documented_body` checked it
    if not isinstance(item, dict) or not isinstance(item.get("files", []), list):
        raise ParseError(
            f"{url}: unexpected ScienceBase item JSON: {_excerpt(body)}", received=body
        )
    return [
        _file_entry(entry, url, body)
        for entry in item.get("files", [])
        if isinstance(entry, dict) and entry.get("name")
    ]


def _file_entry(entry: dict[str, Any], item_url: str, body: bytes) -> tuple[str, str]:
    link = entry.get("downloadUri") or entry.get("url")
    if not isinstance(link, str) or not link:
        raise ParseError(f"{item_url}: file {entry['name']!r} has no download link", received=body)
    return str(entry["name"]), str(httpx.URL(item_url).join(link))


def _member_pattern(edition: str, kind: str) -> re.Pattern[str]:
    return re.compile(rf"(?:^|/){edition.lower()}-raree+_{kind}\.csv$", re.IGNORECASE)


def _extract(archive: bytes, member: re.Pattern[str], url: str) -> bytes | None:
    try:
        with zipfile.ZipFile(io.BytesIO(archive)) as opened:
            for info in opened.infolist():
                if member.search(info.filename):
                    if info.file_size > MAX_MEMBER_BYTES:
                        raise SourceUnavailable(
                            f"{redact(url)}: {info.filename} is "
                            f"{info.file_size:,} bytes unpacked; refused"
                        )
                    return opened.read(info)
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:  # a damaged member
        raise UnusableResponse(
            f"{redact(url)}: a zip archive that cannot be decoded ({error})", received=archive
        ) from None
    return None


def _excerpt(body: bytes) -> str:
    return " ".join(body[:200].decode("utf-8", errors="replace").split())
