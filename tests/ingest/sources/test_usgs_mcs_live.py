"""usgs-mcs through the loader: edition replacement, and the ScienceBase live path against
mock transports (zips built from the real bundled CSVs, 429 with Retry-After, error pages)."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import zipfile
from collections.abc import Callable

import duckdb
import httpx
import pytest
from typer.testing import CliRunner

from ingest import pipeline
from ingest.cli import app
from ingest.errors import ParseError, SourceUnavailable, TradewatchError, UnusableResponse
from ingest.http import make_client
from ingest.loader import load, load_payload
from ingest.settings import Settings
from ingest.sources import usgs_mcs
from ingest.sources.base import SourceRequest, bundled_path
from tests.conftest import fixture_path

ITEM_2024 = "65a6e45fd34e5af967a46749"
ITEM_URL = f"https://www.sciencebase.gov/catalog/item/{ITEM_2024}"
SALIENT_ZIP = f"https://www.sciencebase.gov/catalog/file/get/{ITEM_2024}?f=__disk__test%2Fsalient"
WORLD_ZIP = (
    f"https://www.sciencebase.gov/catalog/file/get/{ITEM_2024}?f=__disk__9c%2F08%2Fa8%2F"
    "9c08a8bb0d04a87840f4f7f4ba489adf0d277f32"
)
ERROR_PAGE = (
    b"<!DOCTYPE html><html><head><title>ScienceBase - Error</title></head><body>"
    b"<h1>ScienceBase is temporarily unavailable</h1></body></html>"
)
Handler = Callable[[httpx.Request], httpx.Response]


def bundled(name: str) -> bytes:
    return bundled_path("usgs_mcs", name).read_bytes()


def item_json() -> bytes:
    return fixture_path("usgs_mcs", "sciencebase_item_mcs2024.json").read_bytes()


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as packed:
        for name, content in members.items():
            packed.writestr(name, content)
    return buffer.getvalue()


def sciencebase(
    overrides: dict[str, list[httpx.Response]] | None = None,
    seen: list[httpx.Request] | None = None,
) -> Handler:
    """The MCS 2024 item, its salient.zip and world.zip; `overrides` serve responses in turn."""
    queue = {url: list(responses) for url, responses in (overrides or {}).items()}
    normal = {
        ITEM_URL: lambda: httpx.Response(
            200, content=item_json(), headers={"Content-Type": "application/json"}
        ),
        SALIENT_ZIP: lambda: httpx.Response(
            200,
            content=zipped(
                {
                    "mcs2024-raree_salient.csv": bundled("mcs2024-raree_salient.csv"),
                    "mcs2023-yttri_salient.csv": fixture_path(
                        "usgs_mcs", "mcs2023-yttri_salient.csv"
                    ).read_bytes(),
                }
            ),
        ),
        WORLD_ZIP: lambda: httpx.Response(
            200,
            content=zipped(
                {
                    "world/mcs2024-raree_world.csv": bundled("mcs2024-raree_world.csv"),
                }
            ),
        ),
    }

    def handle(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        url = str(request.url.copy_remove_param("format"))
        if url == ITEM_URL and request.url.params.get("format") != "json":
            return httpx.Response(404, content=ERROR_PAGE)
        if queue.get(url):
            return queue[url].pop(0)
        if url in normal:
            return normal[url]()
        return httpx.Response(404, content=ERROR_PAGE)

    return handle


def rows(settings: Settings, sql: str) -> list[tuple[object, ...]]:
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        return con.execute(sql).fetchall()


def live_2024(settings: Settings, handler: Handler, **options: object) -> list[object]:
    return pipeline.ingest_source(
        "usgs-mcs",
        settings,
        live=True,
        transport=httpx.MockTransport(handler),
        request=SourceRequest(editions=("MCS2024",), **options),
    )


# --- editions in the warehouse ----------------------------------------------------------------


def test_a_new_load_of_an_edition_replaces_only_that_edition(settings: Settings) -> None:
    compiled = "usgs_mcs_rare_earths_world_production_reserves.csv"
    load(usgs_mcs.COMPILED_WORLD, bundled(compiled), origin=compiled, settings=settings)
    by_edition = "select edition, count(*) from raw_usgs_mcs.world_production group by 1 order by 1"
    assert rows(settings, by_edition) == [("MCS2023", 51), ("MCS2024", 48), ("MCS2025", 54)]
    load(
        usgs_mcs.RELEASE_WORLD,
        bundled("mcs2024-raree_world.csv"),
        origin="mcs2024-raree_world.csv",
        settings=settings,
    )
    assert rows(settings, by_edition) == [("MCS2023", 51), ("MCS2024", 48), ("MCS2025", 54)]
    documents = rows(
        settings,
        "select edition, count(distinct source_document) filter "
        "(where source_document like '%(mcs2024-raree_world.csv)') "
        "from raw_usgs_mcs.world_production group by 1 order by 1",
    )
    assert documents == [("MCS2023", 0), ("MCS2024", 1), ("MCS2025", 0)]


# --- the live path ------------------------------------------------------------------------------


def test_live_reads_the_release_csvs_out_of_the_sciencebase_zips(settings: Settings) -> None:
    results = live_2024(settings, sciencebase())
    assert [(r.dataset, r.status, r.vintage, r.rows) for r in results] == [
        ("release_salient", "ok", "MCS2024", 95),
        ("release_world", "ok", "MCS2024", 48),
    ]
    china = rows(
        settings,
        "select value_t_reo, source_url from raw_usgs_mcs.world_production "
        "where country = 'China' and year = 2023",
    )
    assert china == [(240_000, f"{ITEM_URL}#mcs2024-raree_world.csv")]
    archived = rows(settings, "select dataset, payload_sha256 from ops.loads order by dataset")
    assert archived == [
        ("release_salient", hashlib.sha256(bundled("mcs2024-raree_salient.csv")).hexdigest()),
        ("release_world", hashlib.sha256(bundled("mcs2024-raree_world.csv")).hexdigest()),
    ]


def test_live_honours_retry_after(settings: Settings) -> None:
    limited = httpx.Response(429, headers={"Retry-After": "7"}, content=b"Too Many Requests")
    transport = httpx.MockTransport(sciencebase({ITEM_URL: [limited]}))
    waits: list[float] = []
    with pipeline.http_client(settings, transport, sleep=waits.append) as client:
        payloads = list(usgs_mcs.live(settings, client, SourceRequest(editions=("MCS2024",))))
        results = [load_payload(payload, settings) for payload in payloads]
    assert waits == [7.0]
    assert [result.status for result in results] == ["ok", "ok"]


def test_live_gives_up_after_the_configured_attempts(settings: Settings) -> None:
    settings = dataclasses.replace(settings, http_attempts=3)
    down = [httpx.Response(503, content=ERROR_PAGE) for _ in range(3)]
    transport = httpx.MockTransport(sciencebase({ITEM_URL: down}))
    waits: list[float] = []
    with pipeline.http_client(settings, transport, sleep=waits.append) as client:
        (payload, _) = usgs_mcs.live(settings, client, SourceRequest(editions=("MCS2024",)))
        with pytest.raises(SourceUnavailable, match="HTTP 503 after 3 attempts"):
            load_payload(payload, settings)
    assert waits == [1.0, 2.0]
    assert rows(settings, "select status, chunk from ops.loads") == [("failed", "MCS2024-salient")]


def test_an_error_page_instead_of_json_fails_and_keeps_the_warehouse(settings: Settings) -> None:
    live_2024(settings, sciencebase())
    html = httpx.Response(200, content=ERROR_PAGE, headers={"Content-Type": "text/html"})
    with pytest.raises(UnusableResponse, match=r"HTML page .* instead of the JSON") as raised:
        live_2024(settings, sciencebase({ITEM_URL: [html]}), dataset="salient")
    assert raised.value.exit_code == 75
    assert rows(settings, "select count(*) from raw_usgs_mcs.us_salient") == [(95,)]
    ledger = rows(
        settings,
        "select status, error, payload_sha256 from ops.loads order by finished_at desc limit 1",
    )
    assert ledger[0][0] == "failed" and "ScienceBase is temporarily unavailable" in ledger[0][1]
    assert ledger[0][2] == hashlib.sha256(ERROR_PAGE).hexdigest()  # the page is kept


def test_an_error_page_instead_of_a_zip_fails(settings: Settings) -> None:
    html = httpx.Response(200, content=ERROR_PAGE, headers={"Content-Type": "text/html"})
    with pytest.raises(UnusableResponse, match=r"HTML page .* instead of the zip archive"):
        live_2024(settings, sciencebase({WORLD_ZIP: [html]}), dataset="world")
    assert rows(settings, "select count(*) from ops.loads where status = 'failed'") == [(1,)]


def test_an_error_page_instead_of_a_csv_is_archived_and_refused(settings: Settings) -> None:
    listed = json.loads(item_json())
    csv_url = f"https://www.sciencebase.gov/catalog/file/get/{ITEM_2024}?f=__disk__test%2Fcsv"
    listed["files"] = [{"name": "mcs2024-raree_salient.csv", "downloadUri": csv_url}]
    item = httpx.Response(200, json=listed)
    html = httpx.Response(200, content=ERROR_PAGE, headers={"Content-Type": "text/html"})
    with pytest.raises(UnusableResponse, match=r"HTML page .* instead of the CSV file"):
        live_2024(settings, sciencebase({ITEM_URL: [item], csv_url: [html]}), dataset="salient")
    (failed,) = rows(settings, "select status, payload_sha256 from ops.loads")
    assert failed == ("failed", hashlib.sha256(ERROR_PAGE).hexdigest())
    assert rows(
        settings,
        "select count(*) from information_schema.tables where table_schema = 'raw_usgs_mcs'",
    ) == [(0,)]


def test_an_item_without_the_rare_earth_files_names_what_it_has(settings: Settings) -> None:
    listed = json.loads(item_json())
    listed["files"] = [entry for entry in listed["files"] if entry["name"] != "world.zip"]
    item = httpx.Response(200, json=listed)
    with pytest.raises(
        ParseError,  # a complete item whose layout changed: a human must look (exit 1)
        match=r"no rare-earths world CSV among its files "
        r"\(salient.zip, MCS2024_Data_Release",
    ) as raised:
        live_2024(settings, sciencebase({ITEM_URL: [item]}), dataset="world")
    assert raised.value.exit_code == 1
    (failed,) = rows(settings, "select status, payload_sha256 from ops.loads")
    assert failed == ("failed", hashlib.sha256(item.content).hexdigest())  # the item is kept


def test_live_uses_the_base_url_from_the_environment(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("USGS_SCIENCEBASE_URL", "http://mirror.example/catalog")
    mirrored = Settings.from_env()
    seen: list[httpx.Request] = []
    mirror_item = f"http://mirror.example/catalog/item/{ITEM_2024}"
    item = httpx.Response(200, content=item_json())
    (result,) = live_2024(
        mirrored, sciencebase({mirror_item: [item]}, seen=seen), dataset="salient"
    )
    assert result.status == "ok"
    # the item comes from the configured base; its files from the links the item lists
    assert [str(request.url) for request in seen] == [f"{mirror_item}?format=json", SALIENT_ZIP]


def test_live_asks_every_edition_and_only_salient_for_2025(settings: Settings) -> None:
    with make_client(transport=httpx.MockTransport(sciencebase())) as client:
        chunks = [payload.chunk for payload in usgs_mcs.live(settings, client)]
    assert chunks == [
        "MCS2022-salient",
        "MCS2022-world",
        "MCS2023-salient",
        "MCS2023-world",
        "MCS2024-salient",
        "MCS2024-world",
        "MCS2025-salient",
    ]


def test_live_refuses_an_unknown_dataset_or_edition(settings: Settings) -> None:
    with make_client(transport=httpx.MockTransport(sciencebase())) as client:
        with pytest.raises(TradewatchError, match="no dataset 'magnets'; choose one of"):
            list(usgs_mcs.live(settings, client, SourceRequest(dataset="magnets")))
        with pytest.raises(TradewatchError, match=r"unknown edition\(s\) MCS1999"):
            list(usgs_mcs.live(settings, client, SourceRequest(editions=("MCS1999",))))


# --- the command line ---------------------------------------------------------------------------


def test_cli_file_with_an_unknown_column_exits_non_zero(settings: Settings, tmp_path) -> None:
    bad = tmp_path / "mcs2024-raree_salient.csv"
    bad.write_bytes(
        bundled("mcs2024-raree_salient.csv").replace(b"Imports_Metals_t", b"Imports_Magnets_t")
    )
    result = CliRunner().invoke(app, ["ingest", "usgs-mcs", "--file", str(bad)])
    assert result.exit_code == 1
    assert "Imports_Magnets_t" in result.output
    assert not settings.db_path.exists() or rows(
        settings,
        "select count(*) from information_schema.tables where table_schema = 'raw_usgs_mcs'",
    ) == [(0,)]


def test_cli_file_loads_a_release_csv(settings: Settings) -> None:
    path = bundled_path("usgs_mcs", "mcs2022-raree_world.csv")
    result = CliRunner().invoke(app, ["ingest", "usgs-mcs", "--file", str(path)])
    assert result.exit_code == 0, result.output
    assert rows(
        settings,
        "select value_t_reo from raw_usgs_mcs.world_production "
        "where country = 'World total (rounded)' and year = 2021",
    ) == [(280_000,)]
