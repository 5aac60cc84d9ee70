"""UN Comtrade: parsers on real records (fixtures), exact-duplicate removal recorded in the
quality results, and the live client against mock transports answering in the documented
JSON shape (429 with Retry-After, empty data, error payloads, truncation, resume)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import httpx
import polars as pl
import pytest

from ingest import pipeline
from ingest.basket import basket_codes
from ingest.errors import AuthenticationError, DataQualityError, ParseError
from ingest.pipeline import ChunksFailed
from ingest.settings import Settings
from ingest.sources import comtrade
from ingest.sources.base import SourceRequest
from tests.conftest import fixture_path
from tests.raw_tables import raw, table_exists

KEY = "test-subscription-key-0123456789"
TODAY = date(2025, 3, 1)  # default periods: 2020-2024


def fixture(name: str) -> Path:
    return fixture_path("comtrade", name)


def records(name: str = "cmm_data_usa_2846_280530_2020_2024.csv") -> list[dict[str, object]]:
    """The fixture's real records in the API's JSON types (codes as numbers, flags as
    booleans, empty cells as null), as `/data/v1/get` returns them."""
    frame = pl.read_csv(fixture(name), infer_schema_length=0)
    numbers = {
        "refPeriodId",
        "refYear",
        "refMonth",
        "reporterCode",
        "partnerCode",
        "partner2Code",
        "aggrLevel",
        "motCode",
        "qtyUnitCode",
        "altQtyUnitCode",
        "legacyEstimationFlag",
    }
    out = []
    for row in frame.iter_rows(named=True):
        record: dict[str, object] = {}
        for api, _, dtype in comtrade.FIELDS:
            value = row[api]
            if value is None:
                record[api] = None
            elif api in numbers:
                record[api] = int(float(value))
            elif dtype == pl.Float64:
                record[api] = float(value)
            elif dtype == pl.Boolean:
                record[api] = value == "True"
            else:
                record[api] = value
        out.append(record)
    return out


def body(data: list[dict[str, object]], error: str = "") -> bytes:
    return json.dumps(
        {"elapsedTime": "0.1 secs", "count": len(data), "data": data, "error": error}
    ).encode()


def matching(request: httpx.Request, pool: list[dict[str, object]]) -> list[dict[str, object]]:
    """What the API would answer: the pool's records matching the query parameters."""
    params = request.url.params

    def wanted(name: str) -> set[str] | None:
        return set(params[name].split(",")) if name in params else None

    filters = {
        "reporterCode": wanted("reporterCode"),
        "partnerCode": wanted("partnerCode"),
        "period": wanted("period"),
        "cmdCode": wanted("cmdCode"),
        "flowCode": wanted("flowCode"),
    }
    return [
        r
        for r in pool
        if all(allowed is None or str(r[field]) in allowed for field, allowed in filters.items())
    ]


def keyed(settings: Settings, monkeypatch: pytest.MonkeyPatch, **env: str) -> Settings:
    monkeypatch.setenv("COMTRADE_API_KEY", KEY)
    monkeypatch.setenv("COMTRADE_PAUSE_S", "0.5")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return Settings.from_env()


def run_live(
    settings: Settings,
    handler: Callable[[httpx.Request], httpx.Response],
    sleeps: list[float] | None = None,
    **options: object,
) -> list[object]:
    recorded = sleeps if sleeps is not None else []
    transport = httpx.MockTransport(handler)
    with pipeline.http_client(settings, transport, sleep=recorded.append) as client:
        return pipeline.ingest_source(
            "comtrade",
            settings,
            live=True,
            request=SourceRequest(today=TODAY, **options),
            client=client,
        )


def comtrade_basket() -> tuple[str, ...]:
    return basket_codes()


# --- parsers ---


def test_saved_response_body_parses_every_field() -> None:
    parsed = comtrade.parse_response(
        fixture("comtradr_HS-60a6ad.json").read_bytes(),
        "HS-60a6ad.json",
        vintage="file:HS-60a6ad.json",
    )
    frame = parsed.frames[comtrade.RECORDS.name]
    assert frame.height == 4
    argentina = frame.filter(pl.col("partner_code") == "32").row(0, named=True)
    assert argentina["reporter_code"] == "156" and argentina["reporter_iso"] == "CHN"
    assert argentina["primary_value"] == 6804128143.0 and argentina["cif_value"] == 6804128143.0
    assert argentina["fob_value"] is None and argentina["qty"] is None
    assert argentina["partner2_iso"] == "W00" and argentina["mos_code"] == "0"
    assert argentina["is_reported"] is True and argentina["ref_month"] == 52
    assert parsed.outcomes[0].unexpected_count == 0


def test_api_csv_keeps_cif_fob_and_primary_as_published() -> None:
    parsed = comtrade.parse_api_csv(
        fixture("cmm_data_usa_2846_280530_2020_2024.csv").read_bytes(),
        "cmm.csv",
        vintage="file:cmm.csv",
    )
    frame = parsed.frames[comtrade.RECORDS.name]
    assert frame.height == 40
    # U.S. imports of 2846 from China, 2023 (comtrade_api.md §7.3): primary is the c.i.f.
    china = frame.filter(
        (pl.col("cmd_code") == "2846")
        & (pl.col("period") == "2023")
        & (pl.col("flow_code") == "M")
        & (pl.col("partner_code") == "156")
    )
    assert china.select("cif_value", "fob_value", "primary_value").row(0) == (
        111168490.0,
        109480992.0,
        111168490.0,
    )
    # weight published as 0.0 with the quantity flagged estimated: kept, not "fixed"
    world = frame.filter(
        (pl.col("cmd_code") == "2846")
        & (pl.col("period") == "2020")
        & (pl.col("flow_code") == "M")
        & (pl.col("partner_code") == "0")
    )
    assert world.select("net_wgt", "is_qty_estimated", "is_aggregate").row(0) == (0.0, True, True)
    assert "commodity_name" not in frame.columns  # appended by the downloader, not Comtrade


def test_missing_field_is_named() -> None:
    data = records()[:1]
    del data[0]["primaryValue"]
    with pytest.raises(ParseError, match=r"data\[0\] has no field primaryValue"):
        comtrade.parse_response(body(data), "x.json", vintage="v")


def test_field_names_are_matched_whatever_their_case() -> None:
    data = records()[:1]
    data[0]["isnetWgtEstimated"] = data[0].pop("isNetWgtEstimated")
    frame = comtrade.parse_response(body(data), "x.json", vintage="v").frames
    assert frame[comtrade.RECORDS.name].height == 1


def test_exact_duplicates_are_removed_and_counted_never_summed(settings: Settings) -> None:
    (result,) = pipeline.ingest_source(
        "comtrade", settings, file=fixture("comtrade_2022_850511_exact_duplicates.csv")
    )
    assert (result.dataset, result.status, result.rows) == ("atlas_trimmed", "ok", 6)
    assert raw(
        settings,
        "select primary_value, net_wgt from raw_comtrade.records where partner_code = '246'",
    ) == [(30724.0, 297.0)]
    recorded = raw(
        settings,
        "select element_count, unexpected_count, success "
        "from ops.data_quality_results "
        f"where expectation_type = '{comtrade.DUPLICATES_REMOVED}'",
    )
    assert recorded == [(48, 42, True)]


def test_records_that_differ_under_one_key_stop_the_load(settings: Settings) -> None:
    with pytest.raises(ChunksFailed, match="expect_compound_columns_to_be_unique") as caught:
        pipeline.ingest_source(
            "comtrade", settings, file=fixture("comtrade_2022_850511_conflicting.csv")
        )
    assert isinstance(caught.value.failures[0][1], DataQualityError)
    assert not table_exists(settings, "raw_comtrade.records")  # nothing published
    assert raw(settings, "select status from ops.loads") == [("failed",)]


def test_offline_bundles_nothing(settings: Settings) -> None:
    assert pipeline.ingest_source("comtrade", settings) == []
    assert not settings.db_path.exists()  # not a row, not even a ledger entry


# --- live ---


def test_live_keyed_queries_retry_429_and_keep_the_key_out_of_everything(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = keyed(settings, monkeypatch)
    pool = records()
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if len(seen) == 1:
            return httpx.Response(
                429,
                headers={"Retry-After": "2"},
                json={"statusCode": 429, "message": "Rate limit is exceeded."},
            )
        return httpx.Response(200, content=body(matching(request, pool)))

    sleeps: list[float] = []
    results = run_live(settings, handler, sleeps)
    assert sleeps[0] == 2.0  # Retry-After honoured, then the pause between calls
    assert sleeps[1:] == [0.5, 0.5, 0.5]
    assert [(r.chunk.split("|")[0:3], r.status) for r in results] == [  # type: ignore[attr-defined]
        (["basket", "A", "792"], "skipped"),  # an empty `data` list
        (["basket", "A", "842"], "ok"),
        (["totals", "A", "792"], "skipped"),
        (["totals", "A", "842"], "skipped"),
    ]
    first = seen[1]
    assert first.url.path == "/data/v1/get/C/A/HS"
    assert first.headers["Ocp-Apim-Subscription-Key"] == KEY
    assert dict(first.url.params) | {"cmdCode": "…"} == {
        "reporterCode": "792",
        "period": "2020,2021,2022,2023,2024",
        "cmdCode": "…",
        "flowCode": "M,X",
        "partner2Code": "0",
        "customsCode": "C00",
        "motCode": "0",
        "maxRecords": "100000",
        "includeDesc": "true",
    }
    assert raw(
        settings, "select count(*), min(cmd_code), max(cmd_code) from raw_comtrade.records"
    ) == [(20, "280530", "280530")]
    stored = [str(row) for row in raw(settings, "select * from ops.loads")]
    landed = [p.read_bytes() for p in settings.landing_dir.rglob("*") if p.is_file()]
    assert all(KEY not in text for text in stored)
    assert all(KEY.encode() not in content for content in landed)
    assert all(KEY not in str(request.url) for request in seen)


def test_live_without_a_key_uses_the_preview_one_period_a_call(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COMTRADE_API_KEY", raising=False)
    monkeypatch.setenv("COMTRADE_PAUSE_S", "0")
    settings = Settings.from_env()
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=body(matching(request, records())))

    run_live(settings, handler, from_month="2023", to_month="2024")
    assert {request.url.path for request in seen} == {"/public/v1/preview/C/A/HS"}
    assert sorted({request.url.params["period"] for request in seen}) == ["2023", "2024"]
    assert all("Ocp-Apim-Subscription-Key" not in request.headers for request in seen)
    assert {request.url.params["maxRecords"] for request in seen} == {"500"}
    assert raw(settings, "select count(*) from raw_comtrade.records") == [(8,)]


def test_a_full_page_is_split_until_nothing_is_truncated(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = keyed(settings, monkeypatch, COMTRADE_MAX_RECORDS="3")
    pool = records()

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body(matching(request, pool)[:3]))  # capped

    results = run_live(settings, handler, from_month="2023", to_month="2024")
    loaded = sorted(
        r.chunk.split("|", 4)[4]
        for r in results  # type: ignore[attr-defined]
        if r.status == "ok"
    )  # type: ignore[attr-defined]
    # split by period, then commodity, then flow, until each answer is below the cap
    assert loaded == ["280530|M|2023", "280530|M|2024", "280530|X|2023", "280530|X|2024"]
    assert raw(settings, "select count(*) from raw_comtrade.records") == [(8,)]


def test_an_error_payload_fails_the_chunk_and_publishes_nothing(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = keyed(settings, monkeypatch)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body([], error="Invalid period parameter"))

    with pytest.raises(ChunksFailed, match="UN Comtrade reports an error: Invalid period"):
        run_live(settings, handler)
    # every chunk failed on its own and is in the ledger for the rerun; nothing published
    assert raw(settings, "select status, chunk from ops.loads order by started_at") == [
        ("failed", f"{name}|A|{reporter}|{partner}|{cmds}|M,X|2020,2021,2022,2023,2024")
        for name, reporter, partner, cmds in (
            ("basket", "792", "all", ",".join(comtrade_basket())),
            ("basket", "842", "all", ",".join(comtrade_basket())),
            ("totals", "792", "842", "TOTAL"),
            ("totals", "842", "792", "TOTAL"),
        )
    ]
    assert not table_exists(settings, "raw_comtrade.records")  # nothing published


def test_complete_json_without_a_data_list_is_a_changed_shape_kept_for_inspection(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Complete JSON in a new shape is not the API being down: exit 1, the answer archived."""
    settings = keyed(settings, monkeypatch)
    answer = json.dumps({"elapsedTime": "0.1 secs", "count": 0, "rows": []}).encode()

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=answer)

    with pytest.raises(ChunksFailed, match="no `data` list in the response") as failed:
        run_live(settings, handler)
    assert failed.value.exit_code == 1
    assert all(isinstance(error, ParseError) for _, error in failed.value.failures)
    kept = raw(settings, "select distinct status, payload_path from ops.loads")
    assert [status for status, _ in kept] == ["failed"]
    assert Path(str(kept[0][1])).read_bytes() == answer
    assert not table_exists(settings, "raw_comtrade.records")


def test_a_refused_key_is_an_authentication_error_without_the_key(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = keyed(settings, monkeypatch)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            401, json={"statusCode": 401, "message": f"Access denied for key {KEY}"}
        )

    with pytest.raises(AuthenticationError) as caught:
        run_live(settings, handler)
    assert KEY not in str(caught.value)
    assert KEY not in str(raw(settings, "select error from ops.loads"))


def test_an_interrupted_run_resumes_from_the_ledger(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = keyed(settings, monkeypatch, TRADEWATCH_HTTP_ATTEMPTS="1")
    pool = records()
    calls: list[str] = []
    failed: list[bool] = []

    def flaky(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.params["cmdCode"] + ":" + request.url.params["reporterCode"])
        if len(calls) == 3 and not failed:
            failed.append(True)
            return httpx.Response(503, text="Service Unavailable")
        return httpx.Response(200, content=body(matching(request, pool)))

    with pytest.raises(ChunksFailed, match="HTTP 503"):
        run_live(settings, flaky)
    assert raw(settings, "select status from ops.loads order by started_at") == [
        ("skipped",),
        ("ok",),
        ("failed",),  # the other chunks went on
        ("skipped",),
    ]
    calls.clear()
    results = run_live(settings, flaky)
    # the chunk loaded before the failure is not asked for again; an empty answer is, as
    # the reporter may have published since
    assert [call.split(":")[1] for call in calls] == ["792", "792", "842"]
    assert [r.status for r in results] == ["skipped"] * 3  # type: ignore[attr-defined]
    assert raw(settings, "select count(*) from raw_comtrade.records") == [(20,)]
    calls.clear()
    run_live(settings, flaky, refresh=True)  # --refresh asks for every chunk again
    assert len(calls) == 4


def test_the_daily_call_budget_stops_the_run(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = keyed(settings, monkeypatch, COMTRADE_CALLS_PER_DAY="1")

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body(matching(request, records())))

    with pytest.raises(ChunksFailed, match="daily budget of 1 calls") as caught:
        run_live(settings, handler)
    assert len(caught.value.failures) == 3  # the first call was made, the others were not


def test_settings_never_show_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMTRADE_API_KEY", KEY)
    settings = Settings.from_env()
    assert KEY not in repr(settings)
    assert KEY in settings.secrets


def test_period_options(monkeypatch: pytest.MonkeyPatch) -> None:
    assert comtrade.periods_for("A", None, None, TODAY) == ["2020", "2021", "2022", "2023", "2024"]
    assert comtrade.periods_for("M", "2024-11", "2025-02", TODAY) == [
        "202411",
        "202412",
        "202501",
        "202502",
    ]
    with pytest.raises(Exception, match="YYYY or YYYY-MM"):
        comtrade.periods_for("A", "24", None, TODAY)


@pytest.mark.parametrize(
    "payload",
    [b"\x1f\x8b", b"\x1f\x8b\x08\x00" + bytes(20)],
    ids=["gzip magic only", "gzip header then zeros"],
)
def test_a_cut_gzip_atlas_file_is_a_parse_error(payload: bytes) -> None:
    with pytest.raises(ParseError, match=r"comtrade_2024\.csv\.gz: not a readable gzip file"):
        comtrade.parse_atlas_trimmed(payload, "comtrade_2024.csv.gz", vintage="t")
