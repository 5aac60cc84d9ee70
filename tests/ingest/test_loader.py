from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path

import duckdb
import httpx
import pytest

from ingest import pipeline
from ingest.errors import DataQualityError, ParseError, SchemaDrift, SourceUnavailable
from ingest.loader import conform, load
from ingest.settings import Settings
from ingest.sources.base import bundled_path
from ingest.sources.census_country import (
    BUNDLED,
    BUNDLED_DERIVED_MONTHLY,
    DERIVED_MONTHLY,
    MONTHLY_FLOWS,
    WORKBOOK,
)
from ingest.sources.reference import CENSUS_CODES_DATASET

DERIVED = bundled_path(BUNDLED, BUNDLED_DERIVED_MONTHLY).read_bytes()
WORKBOOK_BYTES = bundled_path(BUNDLED, "country_xlsx_2023-01.xlsx").read_bytes()


def raw_state(db_path: Path) -> list[tuple]:
    """Every raw table's rows, for before/after comparisons."""
    with duckdb.connect(str(db_path), read_only=True) as con:
        tables = con.execute(
            "select schema_name || '.' || table_name from duckdb_tables() "
            "where schema_name like 'raw_%' order by 1"
        ).fetchall()
        return [(name, sorted(con.execute(f"from {name}").fetchall())) for (name,) in tables]


def ledger(db_path: Path) -> list[dict]:
    with duckdb.connect(str(db_path), read_only=True) as con:
        frame = con.sql("from ops.loads order by started_at").pl()
    return frame.to_dicts()


def test_a_load_publishes_rows_ledger_and_quality_results_together(settings: Settings) -> None:
    result = load(DERIVED_MONTHLY, DERIVED, origin="us_turkey_goods_monthly.csv", settings=settings)

    assert (result.status, result.rows, result.vintage) == ("ok", 112, "2026-08")
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        rows = con.execute(
            f"select count(*), count(distinct load_id) from {MONTHLY_FLOWS.name}"
        ).fetchone()
        results = con.execute(
            "select count(*), bool_and(success) from ops.data_quality_results where load_id = ?",
            [result.load_id],
        ).fetchone()
    assert rows == (112, 1)
    assert results[0] > 10 and results[1] is True
    [entry] = ledger(settings.db_path)
    assert entry["status"] == "ok" and entry["row_count"] == 112
    assert entry["expectations_failed"] == 0


def test_the_same_payload_twice_is_skipped_not_duplicated(settings: Settings) -> None:
    load(DERIVED_MONTHLY, DERIVED, origin="a.csv", settings=settings)
    before = raw_state(settings.db_path)

    again = load(DERIVED_MONTHLY, DERIVED, origin="a.csv", settings=settings)

    assert again.status == "skipped"
    assert raw_state(settings.db_path) == before
    assert [entry["status"] for entry in ledger(settings.db_path)] == ["ok", "skipped"]


def test_the_payload_is_archived_byte_exact_with_a_sidecar(settings: Settings) -> None:
    result = load(DERIVED_MONTHLY, DERIVED, origin="us_turkey_goods_monthly.csv", settings=settings)
    [entry] = ledger(settings.db_path)
    archived = Path(entry["payload_path"])
    assert archived.read_bytes() == DERIVED
    sidecar = json.loads(archived.with_name(archived.name + ".json").read_text())
    assert sidecar["sha256"] == entry["payload_sha256"]
    assert sidecar["vintage"] == result.vintage == "2026-08"
    assert sidecar["bytes"] == len(DERIVED)
    assert sidecar["source"] == "census-country"


def test_a_frame_failing_its_expectations_publishes_nothing(settings: Settings) -> None:
    load(DERIVED_MONTHLY, DERIVED, origin="good.csv", settings=settings)
    before = raw_state(settings.db_path)
    bad = DERIVED.replace(b"2022,1,1433.5,", b"2022,1,-1433.5,")

    with pytest.raises(DataQualityError, match="value_musd"):
        load(DERIVED_MONTHLY, bad, origin="bad.csv", settings=settings)

    assert raw_state(settings.db_path) == before
    failed = ledger(settings.db_path)[-1]
    assert failed["status"] == "failed"
    assert "expect_column_values_to_be_between on value_musd" in failed["error"]
    assert failed["expectations_failed"] == 1
    assert Path(failed["payload_path"]).read_bytes() == bad  # kept for the post-mortem
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        sample = con.execute(
            "select unexpected_sample from ops.data_quality_results "
            "where load_id = ? and not success",
            [failed["load_id"]],
        ).fetchone()
    assert sample == ("[-1433.5]",)


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: data[: len(data) // 3], id="truncated"),
        pytest.param(lambda data: b"\x00garbage" * 100, id="corrupt"),
    ],
)
def test_a_damaged_workbook_leaves_the_warehouse_unchanged(
    settings: Settings, damage: Callable[[bytes], bytes]
) -> None:
    load(DERIVED_MONTHLY, DERIVED, origin="good.csv", settings=settings)
    before = raw_state(settings.db_path)

    with pytest.raises(ParseError, match=r"country\.xlsx"):
        load(WORKBOOK, damage(WORKBOOK_BYTES), origin="country.xlsx", settings=settings)

    assert raw_state(settings.db_path) == before
    failed = ledger(settings.db_path)[-1]
    assert failed["status"] == "failed" and "country.xlsx" in failed["error"]
    assert "\n" not in failed["error"]


def test_a_newer_load_of_a_vintage_replaces_it_and_other_vintages_stay(settings: Settings) -> None:
    load(WORKBOOK, WORKBOOK_BYTES, origin="country.xlsx", settings=settings)
    load(DERIVED_MONTHLY, DERIVED, origin="a.csv", settings=settings)
    revised = DERIVED.replace(b"2022,1,1433.5,", b"2022,1,1433.6,")

    load(DERIVED_MONTHLY, revised, origin="b.csv", settings=settings)

    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        vintages = con.execute(
            f"select vintage, count(*) from {MONTHLY_FLOWS.name} group by all order by 1"
        ).fetchall()
        value = con.execute(
            f"select value_musd from {MONTHLY_FLOWS.name} where vintage = "
            "'2026-08' and year = 2022 and month = 1 and flow = 'export'"
        ).fetchone()
    assert vintages == [("2023-01", 197986), ("2026-08", 112)]
    assert value == (1433.6,)


def test_conform_names_every_drifted_column() -> None:
    frames = DERIVED_MONTHLY.parse(DERIVED, "x.csv")
    frame = frames[MONTHLY_FLOWS.name].rename({"census_code": "cty_code"})
    with pytest.raises(SchemaDrift, match="census_code: expected String, got None") as caught:
        conform(frame, MONTHLY_FLOWS, origin="x.csv")
    assert "cty_code: expected None, got String" in str(caught.value)


def test_a_secret_in_the_url_never_reaches_logs_ledger_or_sidecars(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "s3cret-census-key"
    monkeypatch.setenv(
        "CENSUS_BALANCE_URL", f"https://census.example.test/country.xlsx?key={secret}"
    )
    monkeypatch.setenv("CENSUS_API_KEY", secret)
    settings = Settings.from_env()
    replies = iter([httpx.Response(503), httpx.Response(200, content=WORKBOOK_BYTES)])
    transport = httpx.MockTransport(lambda request: next(replies))
    monkeypatch.setattr("ingest.http.DEFAULT_POLICY.__class__.wait_s", lambda *a, **k: 0.0)
    caplog.set_level(logging.DEBUG)

    pipeline.ingest_source("census-country", settings, live=True, transport=transport)
    failing = httpx.MockTransport(lambda request: httpx.Response(500))
    with pytest.raises(SourceUnavailable) as caught:
        pipeline.ingest_source("census-country", settings, live=True, transport=failing)

    assert secret not in str(caught.value)
    assert secret not in caplog.text
    assert "REDACTED" in caplog.text
    assert secret not in json.dumps(ledger(settings.db_path), default=str)
    for sidecar in settings.landing_dir.rglob("*.json"):
        assert secret not in sidecar.read_text()
    assert not any(secret in path.name for path in settings.landing_dir.rglob("*"))


def test_a_code_list_load_replaces_the_whole_list(settings: Settings) -> None:
    codes = bundled_path("reference", "census_schedule_c_country_codes.csv").read_bytes()
    shorter = b"\n".join(codes.splitlines()[:-1]) + b"\n"
    load(CENSUS_CODES_DATASET, codes, origin="codes.csv", settings=settings)

    load(CENSUS_CODES_DATASET, shorter, origin="codes.csv", settings=settings)

    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        assert con.execute(
            "select count(*) from raw_reference.census_country_codes"
        ).fetchone() == (238,)
