from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest

from ingest import pipeline, warehouse
from ingest.deals_register import RegisterInvalid, bundle, read_folder
from ingest.quality import suite_path, validate_frame
from ingest.settings import DEFAULT_DEALS_DIR, Settings
from ingest.sources import SOURCES
from ingest.sources.deals import (
    DEAL_EVENTS,
    DEAL_TRADE_LINKS,
    DEALS,
    DEALS_SOURCE,
    parse_register,
)
from tests.ingest.deals_register.cases import (
    BAD_FIELD_PARAMS,
    BadField,
    apply,
    copy_register,
    read_rows,
    write_rows,
)

RAW_TABLES = (DEALS, DEAL_EVENTS, DEAL_TRADE_LINKS)


@pytest.fixture(scope="module")
def frames() -> dict[str, pl.DataFrame]:
    return parse_register(bundle(read_folder(DEFAULT_DEALS_DIR)), "deals_register.zip")


def _row(frame: pl.DataFrame, **where: str) -> dict[str, object]:
    matches = frame.filter(*(pl.col(name) == value for name, value in where.items()))
    assert matches.height == 1, where
    return matches.row(0, named=True)


def test_the_source_is_registered_with_one_dataset_of_three_tables() -> None:
    assert SOURCES["deals"] is DEALS_SOURCE
    assert [table.name for table in DEALS_SOURCE.tables] == [
        "raw_deals.deals",
        "raw_deals.deal_events",
        "raw_deals.deal_trade_links",
    ]


def test_every_row_of_the_register_is_parsed(frames: dict[str, pl.DataFrame]) -> None:
    assert {name: frame.height for name, frame in frames.items()} == {
        DEALS.name: 38,
        DEAL_EVENTS.name: 87,
        DEAL_TRADE_LINKS.name: 10,
    }


def test_every_row_carries_the_edition_of_its_register_version(
    frames: dict[str, pl.DataFrame],
) -> None:
    payload = bundle(read_folder(DEFAULT_DEALS_DIR))
    edition = hashlib.sha256(payload).hexdigest()[:12]
    for frame in frames.values():
        assert frame["edition"].unique().to_list() == [edition]


def test_month_only_dates_keep_their_precision(frames: dict[str, pl.DataFrame]) -> None:
    target = _row(frames[DEALS.name], deal_id="tr-us-trade-100bn-target")
    announced = (
        target["announced_on"],
        target["announced_date"],
        target["announced_date_precision"],
    )
    assert announced == (
        "2019-06",
        date(2019, 6, 1),
        "month",
    )
    request = _row(frames[DEAL_EVENTS.name], deal_id="tr-us-f16-block70", event_date_text="2021-10")
    assert (request["event_date"], request["event_date_precision"], request["status"]) == (
        date(2021, 10, 1),
        "month",
        "talks",
    )
    exploration = _row(frames[DEALS.name], deal_id="tr-uz-mta-tashkent-2019")
    assert (exploration["status_as_of"], exploration["status_as_of_date_precision"]) == (
        "2021-10",
        "month",
    )


def test_an_expected_window_of_years_is_kept_as_years(frames: dict[str, pl.DataFrame]) -> None:
    link = _row(frames[DEAL_TRADE_LINKS.name], deal_id="tr-us-thy-boeing787-2025")
    assert (link["hs_code"], link["flow"], link["expected_from"], link["expected_to"]) == (
        "880240",
        "export",
        "2029",
        "2034",
    )
    assert (link["expected_to_date"], link["expected_to_date_precision"]) == (
        date(2034, 1, 1),
        "year",
    )


def test_values_are_whole_dollars_and_missing_values_stay_null(
    frames: dict[str, pl.DataFrame],
) -> None:
    deals = frames[DEALS.name]
    pegasus = _row(deals, deal_id="tr-us-pegasus-boeing-2024")
    assert (pegasus["value_usd"], pegasus["is_value_estimate"], pegasus["value_basis"]) == (
        36_000_000_000,
        False,
        "list_price",
    )
    nuclear = _row(deals, deal_id="tr-us-civil-nuclear-mou-2025")
    assert (nuclear["value_usd"], nuclear["is_value_estimate"], nuclear["value_basis"]) == (
        None,
        None,
        None,
    )
    assert deals["value_usd"].is_not_null().sum() == 10


def test_events_are_numbered_in_date_order_per_deal(frames: dict[str, pl.DataFrame]) -> None:
    target = frames[DEAL_EVENTS.name].filter(pl.col("deal_id") == "tr-us-trade-100bn-target")
    assert target["event_seq"].to_list() == list(range(1, 16))
    assert target["event_date"].is_sorted()
    assert target["event_date_text"][0] == "2019-06"
    assert target["event_date_text"][-1] == "2026-02-05"


@pytest.mark.parametrize("table", RAW_TABLES, ids=lambda table: table.name)
def test_every_raw_table_passes_its_expectation_suite(
    table: object, frames: dict[str, pl.DataFrame]
) -> None:
    name = table.name  # type: ignore[attr-defined]
    assert suite_path(name.replace(".", "__")).exists()
    report = validate_frame(frames[name], name)
    assert report.success, report.failures()


def test_a_suite_catches_what_slipped_past_the_parser(frames: dict[str, pl.DataFrame]) -> None:
    frame = frames[DEALS.name].with_columns(
        status=pl.when(pl.col("deal_id") == "tr-us-pegasus-boeing-2024")
        .then(pl.lit("done"))
        .otherwise(pl.col("status"))
    )
    report = validate_frame(frame, DEALS.name)
    assert not report.success
    assert any("status" in failure for failure in report.failures())


# --- through the loader ---------------------------------------------------------------


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """A warehouse holding only the bundled register, loaded once for this module."""
    root = tmp_path_factory.mktemp("deals_loaded")
    settings = replace(
        Settings.from_env({}),
        db_path=root / "warehouse" / "tradewatch.duckdb",
        landing_dir=root / "landing",
    )
    results = pipeline.ingest_source("deals", settings, file=DEFAULT_DEALS_DIR / "deals.csv")
    assert [result.status for result in results] == ["ok"]
    yield settings


def _raw_state(settings: Settings) -> dict[str, list[tuple[object, ...]]]:
    with warehouse.connect(settings.db_path, read_only=True) as con:
        return {
            table.name: con.execute(
                f"select * exclude (loaded_at) from {table.name} order by all"
            ).fetchall()
            for table in RAW_TABLES
        }


def _last_load(settings: Settings) -> tuple[str, str | None, str | None]:
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        row = con.execute(
            "select status, error, payload_sha256 from ops.loads where source = 'deals' "
            "order by finished_at desc limit 1"
        ).fetchone()
    assert row is not None
    return row


def test_the_register_loads_into_three_raw_tables(loaded: Settings) -> None:
    state = _raw_state(loaded)
    assert [len(rows) for rows in state.values()] == [38, 87, 10]


def test_the_same_register_again_is_skipped(loaded: Settings) -> None:
    results = pipeline.ingest_source("deals", loaded, file=DEFAULT_DEALS_DIR / "deals.csv")
    assert [result.status for result in results] == ["skipped"]


@pytest.mark.parametrize("case", BAD_FIELD_PARAMS)
def test_a_bad_register_loads_nothing_and_names_deal_and_field(
    case: BadField, loaded: Settings, tmp_path: Path
) -> None:
    folder = copy_register(tmp_path / "deals")
    apply(case, folder)
    before = _raw_state(loaded)

    with pytest.raises(RegisterInvalid) as raised:
        pipeline.ingest_source("deals", loaded, file=folder / "deals.csv")

    assert f"deal {case.deal_id}" in str(raised.value)
    assert f"field {case.field}" in str(raised.value)
    status, error, sha = _last_load(loaded)
    assert status == "failed" and error is not None and f"field {case.field}" in error
    assert sha == hashlib.sha256(bundle(read_folder(folder))).hexdigest()  # archived anyway
    assert _raw_state(loaded) == before


def test_a_new_version_keeps_the_earlier_one_in_raw(loaded: Settings, tmp_path: Path) -> None:
    folder = copy_register(tmp_path / "deals")
    deals = read_rows(folder, "deals.csv")
    next(d for d in deals if d["deal_id"] == "tr-us-f16-block70")["value_note"] += " (edited)"
    write_rows(folder, "deals.csv", deals)

    results = pipeline.ingest_source("deals", loaded, file=folder / "deals.csv")
    pipeline.ingest_source("deals", loaded, file=DEFAULT_DEALS_DIR / "deals.csv")  # a revert

    assert results[0].status == "ok" and results[0].vintage is not None
    with duckdb.connect(str(loaded.db_path), read_only=True) as con:
        editions = con.execute(
            "select edition, count(*) from raw_deals.deals group by edition order by edition"
        ).fetchall()
    assert sorted(count for _, count in editions) == [38, 38]
    status, _, sha = _last_load(loaded)  # the revert: skipped, and names the version in force
    assert status == "skipped"
    assert sha == hashlib.sha256(bundle(read_folder(DEFAULT_DEALS_DIR))).hexdigest()
