"""census-hs: the Census International Trade API client, parsers and chunked live ingest.

Every response comes from tests/fixtures/census_hs (synthetic values in the documented
shape) through an httpx mock transport; no test reaches the network.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import date
from pathlib import Path

import duckdb
import httpx
import polars as pl
import pytest

from ingest import pipeline
from ingest.errors import AuthenticationError, ParseError, SchemaDrift, SourceUnavailable
from ingest.http import RetryPolicy, make_client
from ingest.settings import Settings
from ingest.sources.base import SourceRequest
from ingest.sources.census_hs import (
    CENSUS_HS,
    RARE_EARTH_STEMS,
    live,
    rare_earth_requests,
    turkey_requests,
)
from ingest.sources.census_hs import client as census_client
from ingest.sources.census_hs.parse import (
    RARE_EARTHS_BY_PARTNER,
    TURKEY_BY_HS,
    parse_rare_earths_by_partner,
    parse_turkey_by_hs,
)
from tests.ingest.sources.census_hs_api import (
    FIXTURES,
    MockApi,
    chunk_is,
    fixture_name,
    fixture_rows,
    no_data,
    served,
)

BASE = "https://api.census.gov/data/timeseries/intltrade"
WINDOW = {"from_month": "2024-01", "to_month": "2024-03", "dataset": "turkey_by_hs"}
KEY = "0123456789abcdef0123456789abcdef01234567"  # shaped like a key; not a real one
NO_RAW_TABLE = "select count(*) from duckdb_tables() where schema_name = 'raw_census_hs'"


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Retry waits are recorded, never slept."""
    recorded: list[float] = []
    monkeypatch.setattr(time, "sleep", recorded.append)
    return recorded


def request_for(name: str) -> str:
    """The exact URL the source builds for a fixture's chunk."""
    _, month, tail = name.removesuffix(".json").split("_")
    requests = turkey_requests if tail.startswith("HS") else rare_earth_requests
    for request in requests(BASE, month):
        if fixture_name(httpx.URL(request.url)) == name:
            return request.url
    raise AssertionError(f"no request for {name}")


def ingest(settings: Settings, api: MockApi, **options: str) -> list[pipeline.LoadResult]:
    return pipeline.ingest_source(
        "census-hs",
        settings,
        live=True,
        request=SourceRequest(**(options or WINDOW)),
        transport=api.transport,
    )


def rows(settings: Settings, sql: str) -> list[tuple]:
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        return con.execute(sql).fetchall()


# --- requests --------------------------------------------------------------------------


def test_requests_pin_turkey_and_keep_the_wildcard_literal() -> None:
    turkey = [request.url for request in turkey_requests(BASE, "2024-03")]
    assert turkey[0] == (
        f"{BASE}/exports/hs?get=CTY_CODE,CTY_NAME,E_COMMODITY,E_COMMODITY_SDESC,"
        "E_COMMODITY_LDESC,ALL_VAL_MO&CTY_CODE=4890&COMM_LVL=HS2&time=2024-03"
    )
    rare_earths = [request.url for request in rare_earth_requests(BASE, "2024-03")]
    assert (
        f"{BASE}/imports/hs?get=CTY_CODE,CTY_NAME,I_COMMODITY,I_COMMODITY_SDESC,"
        "GEN_VAL_MO,CON_VAL_MO,GEN_QY1_MO,GEN_QY1_MO_FLAG,UNIT_QY1"
        "&COMM_LVL=HS10&I_COMMODITY=2846*&time=2024-03" in rare_earths
    )
    assert len(rare_earths) == 2 * len(RARE_EARTH_STEMS)
    assert all("key=" not in url for url in turkey + rare_earths)


def test_the_key_is_added_only_on_the_wire_and_the_wildcard_stays_literal() -> None:
    api = MockApi()
    url = request_for("imports_2024-01_2846.json")
    with make_client(transport=api.transport, policy=RetryPolicy(attempts=1)) as client:
        census_client.fetch(client, url, key=KEY)
        census_client.fetch(client, url, key=None)
    assert api.requests[0].url.params["key"] == KEY
    assert b"&I_COMMODITY=2846*&" in api.requests[0].url.raw_path
    assert "key" not in api.requests[1].url.params


# --- parsing ---------------------------------------------------------------------------


def test_header_row_is_read_by_name_and_values_become_whole_dollars() -> None:
    name = "exports_2024-01_HS2.json"
    frame = parse_turkey_by_hs((FIXTURES / name).read_bytes(), request_for(name))[TURKEY_BY_HS.name]
    served = fixture_rows(name)
    assert frame.schema == TURKEY_BY_HS.schema
    assert frame["commodity"].to_list() == [row["E_COMMODITY"] for row in served]
    assert frame["all_val_mo"].to_list() == [int(row["ALL_VAL_MO"]) for row in served]
    assert frame["all_val_mo"].dtype == pl.Int64
    assert set(frame["flow"]) == {"export"} and set(frame["month"]) == {"2024-01"}
    assert frame["gen_val_mo"].null_count() == frame.height  # an imports-only variable
    assert frame.filter(pl.col("commodity") == "98").height == 1  # special chapters kept


def test_repeated_header_names_keep_the_first_column() -> None:
    name = "imports_2024-01_HS2.json"
    header = json.loads((FIXTURES / name).read_bytes())[0]
    assert header.count("CTY_CODE") == 2
    frame = parse_turkey_by_hs((FIXTURES / name).read_bytes(), request_for(name))[TURKEY_BY_HS.name]
    assert frame["gen_val_mo"].to_list() == [int(r["GEN_VAL_MO"]) for r in fixture_rows(name)]
    assert frame["con_val_mo"].to_list() == [int(r["CON_VAL_MO"]) for r in fixture_rows(name)]


def test_rare_earth_rows_keep_world_groupings_codes_and_quantities_as_published() -> None:
    name = "imports_2024-01_2846.json"
    frame = parse_rare_earths_by_partner((FIXTURES / name).read_bytes(), request_for(name))[
        RARE_EARTHS_BY_PARTNER.name
    ]
    assert {"-", "5XXX", "0003", "5700"} <= set(frame["cty_code"])
    assert set(frame["commodity"]) == {"2846100010", "2846902015"}
    assert set(frame["commodity_stem"]) == {"2846*"}
    china = frame.filter((pl.col("cty_code") == "5700") & (pl.col("commodity") == "2846100010"))
    assert china.select("gen_val_mo", "con_val_mo", "gen_qy1_mo", "unit_qy1").row(0) == (
        3900000, 3900000, 320000, "KG",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param(b"", "not JSON", id="empty"),
        pytest.param(b'{"error": "x"}', "array of arrays", id="object"),
        pytest.param(b'[["CTY_CODE", 5]]', "must be a string", id="header-not-strings"),
        pytest.param(
            b'[["CTY_CODE","CTY_NAME","E_COMMODITY","E_COMMODITY_SDESC","E_COMMODITY_LDESC",'
            b'"ALL_VAL_MO","time"],["4890","TURKEY","88","A","A","1,234","2024-01"]]',
            "row 1, ALL_VAL_MO: '1,234' is not a whole number",
            id="value-not-digits",
        ),
        pytest.param(
            b'[["CTY_CODE","time"],["4890"]]', "row 1: expected an array of 2 values", id="ragged"
        ),
    ],
)
def test_malformed_responses_name_the_place(body: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse_turkey_by_hs(body, request_for("exports_2024-01_HS2.json"))


def drifted(name: str, variable: str, renamed_to: str | None) -> bytes:
    """A fixture whose header lost a variable (and its cells) or calls it something else."""
    header, *body = json.loads((FIXTURES / name).read_bytes())
    index = header.index(variable)
    if renamed_to is None:
        header, body = _without(header, index), [_without(row, index) for row in body]
    else:
        header[index] = renamed_to
    return json.dumps([header, *body]).encode()


def _without(row: list[str], index: int) -> list[str]:
    return row[:index] + row[index + 1 :]


@pytest.mark.parametrize(
    "renamed_to",
    [pytest.param(None, id="missing"), pytest.param("GEN_VAL_MONTH", id="renamed")],
)
def test_schema_drift_fails_the_chunk_and_publishes_nothing(
    settings: Settings, waits: list[float], renamed_to: str | None
) -> None:
    name = "imports_2024-01_HS2.json"
    body = drifted(name, "GEN_VAL_MO", renamed_to)
    api = MockApi()
    api.answer(chunk_is(name.removesuffix(".json")), lambda url: (200, {}, body))
    api.answer(lambda url: True, no_data)  # the rest of the month: not released
    with pytest.raises(pipeline.ChunksFailed) as failed:
        ingest(settings, api, **{**WINDOW, "to_month": "2024-01"})
    assert [chunk for chunk, _ in failed.value.failures] == ["turkey_by_hs imports:2024-01:HS2"]
    assert isinstance(failed.value.failures[0][1], SchemaDrift)
    assert "row 0 (header): missing GEN_VAL_MO" in str(failed.value)
    assert rows(settings, NO_RAW_TABLE) == [(0,)]  # nothing was published
    ledger = rows(
        settings,
        "select status, error, payload_path from ops.loads where chunk = 'imports:2024-01:HS2'",
    )
    assert ledger[0][0] == "failed" and "missing GEN_VAL_MO" in ledger[0][1]
    assert Path(ledger[0][2]).read_bytes() == body  # the payload is kept for inspection


# --- HTTP answers ----------------------------------------------------------------------


def test_204_months_are_skipped_not_failed_and_fetched_again(settings: Settings) -> None:
    api = MockApi()
    options = {"from_month": "2024-04", "to_month": "2024-04", "dataset": "turkey_by_hs"}
    results = ingest(settings, api, **options)
    assert [result.status for result in results] == ["skipped"] * 4
    assert rows(settings, NO_RAW_TABLE) == [(0,)]  # nothing was published
    ledger = rows(settings, "select distinct status, error from ops.loads")
    assert ledger == [("skipped", "no data published for this request")]
    ingest(settings, api, **options)
    assert len(api.requests) == 8  # no data yet is not "done": asked again


def test_html_page_with_status_200_is_an_authentication_error(settings: Settings) -> None:
    page = b"<html><head><title>Invalid Key</title></head><body>Invalid Key</body></html>"
    api = MockApi()
    api.answer(lambda url: True, lambda url: (200, {"Content-Type": "text/html"}, page))
    with pytest.raises(AuthenticationError) as raised:
        ingest(settings, api)
    message = str(raised.value)
    assert "CENSUS_API_KEY" in message and "key_signup" in message and "Invalid Key" in message
    assert "JSON" not in message.replace("JSON array", "")
    assert len(api.requests) == 1  # every other chunk would fail the same way: stop at once
    assert raised.value.exit_code == 75


def test_400_text_is_surfaced_without_retrying(settings: Settings, waits: list[float]) -> None:
    text = b"error: unknown variable 'ALL_VAL_MO'"
    api = MockApi()
    api.answer(
        chunk_is("exports_2024-01_HS2"), lambda url: (400, {"Content-Type": "text/plain"}, text)
    )
    api.answer(lambda url: True, no_data)
    with pytest.raises(pipeline.ChunksFailed) as failed:
        ingest(settings, api, **{**WINDOW, "to_month": "2024-01"})
    assert "HTTP 400: error: unknown variable 'ALL_VAL_MO'" in str(failed.value)
    assert isinstance(failed.value.failures[0][1], census_client.CensusQueryError)
    assert failed.value.exit_code == 75
    assert waits == [] and api.chunks().count("exports_2024-01_HS2") == 1
    assert len(api.requests) == 4  # the other chunks were still asked for


def test_429_waits_as_long_as_retry_after_says(waits: list[float]) -> None:
    api = MockApi()
    replies = iter([(429, {"Retry-After": "7"}, b"")])
    api.answer(lambda url: True, lambda url: next(replies, None) or served(url))
    name = "exports_2024-01_HS2.json"
    with make_client(transport=api.transport, policy=RetryPolicy(attempts=5)) as client:
        body = census_client.fetch(client, request_for(name), key=None)
    assert body == (FIXTURES / name).read_bytes()
    assert waits == [7.0]


def test_5xx_is_retried_with_backoff(waits: list[float]) -> None:
    api = MockApi()
    replies = iter([(503, {}, b""), (502, {}, b"")])
    api.answer(lambda url: True, lambda url: next(replies, None) or served(url))
    name = "exports_2024-01_HS2.json"
    with make_client(transport=api.transport, policy=RetryPolicy(attempts=5)) as client:
        body = census_client.fetch(client, request_for(name), key=None)
    assert body == (FIXTURES / name).read_bytes()
    assert waits == [1.0, 2.0]


def test_5xx_gives_up_after_the_configured_attempts(waits: list[float]) -> None:
    api = MockApi()
    api.answer(lambda url: True, lambda url: (500, {}, b"down"))
    with (
        make_client(transport=api.transport, policy=RetryPolicy(attempts=3)) as client,
        pytest.raises(SourceUnavailable, match="HTTP 500 after 3 attempts"),
    ):
        census_client.fetch(client, request_for("exports_2024-01_HS2.json"), key=None)
    assert len(api.requests) == 3 and waits == [1.0, 2.0]


# --- chunks ----------------------------------------------------------------------------


def test_a_failed_chunk_does_not_stop_the_others_and_is_the_only_one_refetched(
    settings: Settings, waits: list[float]
) -> None:
    january = {**WINDOW, "to_month": "2024-01"}  # exports HS2, exports HS4, imports HS2, HS4
    broken = MockApi()
    broken.answer(chunk_is("exports_2024-01_HS4"), lambda url: (503, {}, b"busy"))
    with pytest.raises(pipeline.ChunksFailed) as failed:
        ingest(settings, broken, **january)
    assert [chunk for chunk, _ in failed.value.failures] == ["turkey_by_hs exports:2024-01:HS4"]
    assert "HTTP 503 after 5 attempts" in str(failed.value) and failed.value.exit_code == 75
    assert [result.chunk for result in failed.value.results] == [
        "exports:2024-01:HS2",
        "imports:2024-01:HS2",
        "imports:2024-01:HS4",
    ]  # the chunks after the failure were loaded too
    ledger = rows(settings, "select chunk, status from ops.loads order by started_at")
    assert ("exports:2024-01:HS4", "failed") in ledger and len(ledger) == 4

    rerun = MockApi()
    results = ingest(settings, rerun, **january)
    assert rerun.chunks() == ["exports_2024-01_HS4"]
    assert [(result.chunk, result.status) for result in results] == [("exports:2024-01:HS4", "ok")]
    loaded = rows(
        settings,
        "select count(*) from raw_census_hs.turkey_by_hs "
        "where month = '2024-01' and flow = 'export' and comm_lvl = 'HS4'",
    )
    assert loaded == [(len(fixture_rows("exports_2024-01_HS4.json")),)]
    ingest(settings, nothing_left := MockApi(), **january)
    assert nothing_left.requests == []


def test_refresh_asks_again_for_loaded_chunks_and_skips_unchanged_answers(
    settings: Settings, waits: list[float]
) -> None:
    january = {**WINDOW, "to_month": "2024-01"}
    ingest(settings, MockApi(), **january)

    again = MockApi()
    results = pipeline.ingest_source(
        "census-hs",
        settings,
        live=True,
        request=SourceRequest(**january, refresh=True),
        transport=again.transport,
    )

    assert len(again.requests) == 4
    assert {result.status for result in results} == {"skipped"}


def test_the_key_never_reaches_logs_ledger_sidecars_or_tables(
    settings: Settings,
    waits: list[float],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("CENSUS_API_KEY", KEY)
    keyed = Settings.from_env()
    caplog.set_level(logging.DEBUG)
    api = MockApi()
    flaky = iter([(503, {}, b"")])
    api.answer(chunk_is("exports_2024-01_HS4"), lambda url: next(flaky, None) or served(url))
    # a 400 that echoes the request back, key and all
    api.answer(chunk_is("imports_2024-01_HS4"), lambda url: (400, {}, f"error: bad {url}".encode()))
    api.answer(lambda url: True, no_data)
    with pytest.raises(pipeline.ChunksFailed) as failed:
        ingest(keyed, api, **{**WINDOW, "to_month": "2024-01"})
    assert all(request.url.params["key"] == KEY for request in api.requests)
    assert "HTTP Request" in caplog.text and "REDACTED" in caplog.text  # logged, redacted
    assert KEY not in caplog.text
    assert KEY not in str(failed.value) and "key=REDACTED" in str(failed.value)  # scrubbed
    with duckdb.connect(str(keyed.db_path), read_only=True) as con:
        for table in ("ops.loads", "ops.data_quality_results", TURKEY_BY_HS.name):
            dump = con.sql(f"select * from {table}").pl().write_csv()
            assert dump and KEY not in dump, table
    landed = [path for path in keyed.landing_dir.rglob("*") if path.is_file()]
    assert any(path.name.endswith(".json") for path in landed)
    assert all(KEY.encode() not in path.read_bytes() for path in landed)


# --- options ---------------------------------------------------------------------------


def test_default_window_is_the_24_months_before_this_one() -> None:
    months = census_client.month_window(None, None, today=date(2026, 9, 8))
    assert (months[0], months[-1], len(months)) == ("2024-09", "2026-08", 24)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        pytest.param({"from_month": "2024-13"}, "--from '2024-13': not a month", id="month-13"),
        pytest.param({"to_month": "March 2024"}, "--to 'March 2024': not a month", id="words"),
        pytest.param({"from_month": "2024-05", "to_month": "2024-04"}, "after --to", id="order"),
        pytest.param({"from_month": "2009-12", "to_month": "2010-01"}, "2010-01 onwards", id="old"),
        pytest.param({"to_month": "2026-10"}, "in the future", id="future"),
        pytest.param({"dataset": "turkey"}, "turkey_by_hs, rare_earths_by_partner", id="dataset"),
    ],
)
def test_bad_options_are_clear_errors(
    settings: Settings, options: dict[str, str], message: str
) -> None:
    with make_client() as client, pytest.raises(census_client.InvalidOption, match=message):
        next(live(settings, client, SourceRequest(today=date(2026, 9, 8), **options)))


def test_offline_loads_the_bundled_saved_answers_and_files_need_a_retrieval_date(
    tmp_path: Path,
) -> None:
    offline = list(CENSUS_HS.offline())
    assert [p.dataset.name for p in offline] == [
        "country_totals",
        "country_totals",
        "hs_by_country",
    ]
    assert CENSUS_HS.chunked
    answer = tmp_path / "response.json"
    answer.write_bytes(b'[["CTY_CODE","CTY_NAME","ALL_VAL_MO","time"]]')
    with pytest.raises(ParseError, match="--vintage YYYY-MM-DD"):
        next(CENSUS_HS.from_file(answer))


# --- the offline build -----------------------------------------------------------------


def test_offline_build_has_empty_live_tables_and_products_from_the_saved_answers(
    built_warehouse: Settings,
) -> None:
    with duckdb.connect(str(built_warehouse.db_path), read_only=True) as con:
        for table in (
            "raw_census_hs.turkey_by_hs",
            "raw_census_hs.rare_earths_by_partner",
            "intermediate.int_census_hs_rare_earth_flows",
        ):
            assert con.execute(f"select count(*) from {table}").fetchone() == (0,), table
        products = con.execute(
            "select flow, hs_level, min(month_date), max(month_date), count(distinct hs_code), "
            "string_agg(distinct source, ','), string_agg(distinct vintage, ',') "
            "from marts.us_turkey_trade_by_product group by all"
        ).fetchall()
    assert products == [
        ("import", "HS2", date(2023, 1, 1), date(2024, 12, 1), 96, "census-hs saved answer",
         "2025-09-28"),
    ]  # fmt: skip
    output = (built_warehouse.db_path.parent.parent / "build-output.txt").read_text()
    assert "census-hs: not loaded" not in output
