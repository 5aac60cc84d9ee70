"""`tradewatch build` with an edited register, on a copy of the session's built warehouse:
a bad register fails the build and changes nothing; an edit is kept by the snapshot."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from ingest.cli import app
from ingest.settings import Settings
from tests.ingest.deals_register.cases import ISSUE_RULE_PARAMS, BadField, apply, copy_register

runner = CliRunner()
MAX = "tr-us-thy-boeing737max-2025"  # latest event: talks on 2025-11-05
STATE_QUERIES = {
    "raw": "select * exclude (loaded_at) from raw_deals.deals order by all",
    "raw_events": "select * exclude (loaded_at) from raw_deals.deal_events order by all",
    "raw_links": "select * exclude (loaded_at) from raw_deals.deal_trade_links order by all",
    "deals": "select * from marts.deals order by all",
    "history": "select * from marts.deal_status_history order by all",
    "goal": "select * from marts.trade_goal_progress order by all",
    "snapshot": "select * exclude (dbt_scd_id) from snapshots.deals_snapshot order by all",
}


@pytest.fixture(scope="module")
def warehouse_copy(
    built_warehouse: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Settings]:
    root = tmp_path_factory.mktemp("deals_build")
    db_path = root / "warehouse" / "tradewatch.duckdb"
    db_path.parent.mkdir(parents=True)
    shutil.copyfile(built_warehouse.db_path, db_path)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TRADEWATCH_DB", str(db_path))
        patch.setenv("TRADEWATCH_LANDING", str(root / "landing"))
        patch.delenv("CENSUS_API_KEY", raising=False)
        patch.setenv("TRADEWATCH_DEALS_DIR", str(copy_register(root / "deals")))
        yield Settings.from_env()


def _state(settings: Settings) -> dict[str, list[tuple[object, ...]]]:
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        return {name: con.execute(sql).fetchall() for name, sql in STATE_QUERIES.items()}


@pytest.mark.parametrize("case", ISSUE_RULE_PARAMS)
def test_a_bad_register_fails_the_build_and_changes_nothing(
    case: BadField, warehouse_copy: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = copy_register(tmp_path / "deals")
    apply(case, folder)
    monkeypatch.setenv("TRADEWATCH_DEALS_DIR", str(folder))
    before = _state(warehouse_copy)

    result = runner.invoke(app, ["build"])

    assert result.exit_code == 1
    message = " ".join(result.output.split())
    assert f"deal {case.deal_id}, field {case.field}:" in message
    assert _state(warehouse_copy) == before


def test_the_snapshot_keeps_a_rewritten_deal(warehouse_copy: Settings) -> None:
    edited = runner.invoke(
        app,
        [
            "deals",
            "event",
            MAX,
            "--status",
            "signed",
            "--date",
            "2026-03",
            "--source",
            "https://www.example.org/order",
            "--note",
            "Order placed",
        ],
    )
    assert edited.exit_code == 0, edited.output

    built = runner.invoke(app, ["build"])

    assert built.exit_code == 0, built.output
    with duckdb.connect(str(warehouse_copy.db_path), read_only=True) as con:
        versions = con.execute(
            "select status, status_as_of, dbt_valid_from, dbt_valid_to "
            "from snapshots.deals_snapshot where deal_id = ? order by dbt_valid_from",
            [MAX],
        ).fetchall()
        mart = con.execute(
            "select status, status_date, status_date_precision from marts.deals where deal_id = ?",
            [MAX],
        ).fetchall()
        known_before = con.execute(
            "select status from snapshots.deals_snapshot where deal_id = ? "
            "and dbt_valid_from <= ? and (dbt_valid_to > ? or dbt_valid_to is null)",
            [MAX, versions[0][2], versions[0][2]],
        ).fetchall()
    assert [(status, as_of) for status, as_of, _, _ in versions] == [
        ("talks", "2025-11-05"),
        ("signed", "2026-03"),
    ]
    assert versions[0][3] == versions[1][2] and versions[1][3] is None
    assert known_before == [("talks",)]  # what we knew when the first build ran
    assert mart == [("signed", date(2026, 3, 1), "month")]
