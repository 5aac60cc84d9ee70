"""`tradewatch build` with an edited register, on a copy of the session's built warehouse:
a bad register fails the build and changes nothing. Then a register edit, three census-hs
months ingested `--live` from a server on 127.0.0.1 (the synthetic tests/fixtures/census_hs
answers), `ingest deals`, `publish`, and one `tradewatch build`: the build is not skipped
for the publication, the snapshot keeps the edited deal, the served values reach the raw
tables and the marts unchanged, and the deal trade links carry them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from ingest.cli import app
from ingest.settings import Settings
from tests.ingest.deals_register.cases import ISSUE_RULE_PARAMS, BadField, apply, copy_register
from tests.ingest.sources.census_hs_api import fixture_rows, local_server, served_turkey_rows
from tests.warehouse_copies import copy_built

runner = CliRunner()
KEY = "fedcba9876543210fedcba9876543210fedcba98"  # shaped like a key; not a real one
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


@contextmanager
def _copy_of(built_warehouse: Settings, root: Path) -> Iterator[Settings]:
    """A copy of the session build with its own landing and register, set in the env."""
    settings = copy_built(built_warehouse, root)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TRADEWATCH_DB", str(settings.db_path))
        patch.setenv("TRADEWATCH_LANDING", str(settings.landing_dir))
        patch.delenv("CENSUS_API_KEY", raising=False)
        patch.setenv("TRADEWATCH_DEALS_DIR", str(copy_register(root / "deals")))
        yield Settings.from_env()


@pytest.fixture(scope="module")
def warehouse_copy(
    built_warehouse: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Settings]:
    with _copy_of(built_warehouse, tmp_path_factory.mktemp("deals_build")) as settings:
        yield settings


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


@dataclass(frozen=True)
class LiveIngest:
    """What the census-hs ingest asked the server, and the ledger right after it."""

    paths: list[str]
    statuses: dict[str, int]
    raw_rare_earths: int
    build_output: str
    next_build_output: str


@pytest.fixture(scope="module")
def rebuilt_run(
    built_warehouse: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Settings, LiveIngest]]:
    """On a copy of its own: one deal rewritten through the CLI, three census-hs months
    served on 127.0.0.1 (the synthetic census-hs test fixtures), `ingest deals`, `publish`,
    then one `tradewatch build`, and a second one with nothing new."""
    with _copy_of(built_warehouse, tmp_path_factory.mktemp("rebuilt")) as settings:
        yield _rebuild(settings)


def _rebuild(warehouse_copy: Settings) -> tuple[Settings, LiveIngest]:
    edited = runner.invoke(app, [
        "deals", "event", MAX, "--status", "signed", "--date", "2026-03",
        "--source", "https://www.example.org/order", "--note", "Order placed",
    ])  # fmt: skip
    assert edited.exit_code == 0, edited.output
    with local_server() as (base_url, paths), pytest.MonkeyPatch.context() as patch:
        patch.setenv("CENSUS_API_BASE_URL", base_url)
        patch.setenv("CENSUS_API_KEY", KEY)
        ingested = runner.invoke(
            app, ["ingest", "census-hs", "--live", "--from", "2024-01", "--to", "2024-03"]
        )
    assert ingested.exit_code == 0, ingested.output
    with duckdb.connect(str(warehouse_copy.db_path), read_only=True) as con:
        statuses = dict(
            con.execute(
                "select status, count(*) from ops.loads where source = 'census-hs' group by 1"
            ).fetchall()
        )
        (raw_rare_earths,) = con.execute(
            "select count(*) from raw_census_hs.rare_earths_by_partner"
        ).fetchone() or (0,)

    outputs = [_succeeds(command) for command in ("ingest deals", "publish", "build", "build")]
    ingest = LiveIngest(list(paths), statuses, raw_rare_earths, *outputs[2:])
    return warehouse_copy, ingest


def _succeeds(command: str) -> str:
    result = runner.invoke(app, command.split())
    assert result.exit_code == 0, (command, result.output)
    return result.output


@pytest.fixture(scope="module")
def rebuilt(rebuilt_run: tuple[Settings, LiveIngest]) -> Settings:
    return rebuilt_run[0]


def test_live_ingest_then_build_carries_served_values_into_the_marts(
    rebuilt_run: tuple[Settings, LiveIngest],
) -> None:
    settings, ingest = rebuilt_run
    # 3 months x (2 flows x 2 HS levels + 2 flows x 4 basket stems), each asked once, with key
    assert len(ingest.paths) == 3 * (4 + 8)
    assert all(f"key={KEY}" in path for path in ingest.paths)
    assert any("E_COMMODITY=850511*&" in path for path in ingest.paths)  # a literal wildcard
    # months and stems without data: 204; the three bundled saved answers loaded offline
    assert ingest.statuses == {"ok": 12 + 2 + 3, "skipped": 36 - 14}
    assert ingest.raw_rare_earths == (
        len(fixture_rows("imports_2024-01_2846.json"))
        + len(fixture_rows("exports_2024-01_850511.json"))
    )

    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        mart = con.execute(
            "select strftime(month_date, '%Y-%m'), flow, hs_level, hs_code, value_usd "
            "from marts.us_turkey_trade_by_product where source = 'census-hs live'"
        ).fetchall()
        shares = con.execute(
            "select flow, hs_level, month_date, sum(share_of_flow_pct) "
            "from marts.us_turkey_trade_by_product group by all"
        ).fetchall()
        aircraft = con.execute(
            "select hs_description, value_t12m_usd, yoy_pct from marts.us_turkey_trade_by_product "
            "where hs_code = '88' and month_date = '2024-03-01'"
        ).fetchone()
        rare_earths = con.execute(
            "select partner_iso3, flow, hs_code, hs6, year, month, value_usd, quantity, "
            "quantity_unit, net_weight_kg, valuation "
            "from intermediate.int_census_hs_rare_earth_flows order by all"
        ).fetchall()
    assert {(m, f, level, code, int(value)) for m, f, level, code, value in mart} == (
        served_turkey_rows()
    )
    assert len(mart) == len(served_turkey_rows())
    assert all(round(total, 2) == 100.0 for *_, total in shares)
    # three months are not twelve, and 2023 was never loaded: no trailing total, no YoY
    assert aircraft == ("AIRCRAFT, SPACECRAFT, AND PARTS THEREOF", None, None)

    china_cerium = [row for row in rare_earths if row[0] == "CHN" and row[2] == "2846100010"]
    assert china_cerium == [
        ("CHN", "import", "2846100010", "284610", 2024, 1, 3900000, 320000, "KG", 320000,
         "customs"),
    ]  # fmt: skip
    partners = {row[0] for row in rare_earths}
    assert partners == {"CHN", "EST", "JPN", "MYS", "TUR", "CAN"}  # no world, no groupings
    turkey_magnets = [row for row in rare_earths if row[0] == "TUR"]
    assert turkey_magnets == [
        ("TUR", "export", "8505110000", "850511", 2024, 1, 150000, 2000, "NO", None, "fas"),
    ]  # fmt: skip


def test_a_build_after_ingest_then_publish_rebuilds_the_marts(
    rebuilt_run: tuple[Settings, LiveIngest],
) -> None:
    """The no-op check compares the newest load with the last dbt run (`ops.dbt_runs`), not
    with the publication: after `ingest deals` → `publish` → `build`, the build once said
    "nothing changed" and `marts.deals` kept the old register until `--force`."""
    settings, ingest = rebuilt_run
    assert "nothing changed" not in ingest.build_output
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        status = con.execute("select status from marts.deals where deal_id = ?", [MAX])
        assert status.fetchall() == [("signed",)]
        runs = con.execute("select count(*) from ops.dbt_runs where success").fetchone()
    assert runs == (2,)  # the session's build and this one: the next build skipped dbt
    assert "nothing changed" in ingest.next_build_output


def test_the_snapshot_keeps_a_rewritten_deal(rebuilt: Settings) -> None:
    with duckdb.connect(str(rebuilt.db_path), read_only=True) as con:
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


def _served(flow: str, level: str, code: str) -> int:
    endpoint, column, key = (
        ("exports", "ALL_VAL_MO", "E_COMMODITY")
        if flow == "export"
        else ("imports", "GEN_VAL_MO", "I_COMMODITY")
    )
    return sum(
        int(row[column])
        for month in ("2024-01", "2024-02", "2024-03")
        for row in fixture_rows(f"{endpoint}_{month}_{level}.json")
        if row[key] == code
    )


def test_trade_links_carry_census_hs_trade_when_loaded(rebuilt: Settings) -> None:
    with duckdb.connect(str(rebuilt.db_path), read_only=True) as con:
        links = {
            (deal_id, hs_code): rest
            for deal_id, hs_code, *rest in con.execute(
                "select deal_id, hs_code, trade_hs_code, trade_hs_level, trade_12m_before_usd, "
                "trade_12m_before_months, trade_year_1_after_usd, trade_year_1_after_months, "
                "trade_expected_window_usd, trade_expected_window_months "
                "from marts.deal_trade_links"
            ).fetchall()
        }
    # Pegasus, announced 2024-12-19: 2024-01..03 fall in the 12 months before; aircraft
    # (880240) are read at the heading 8802, the finest level census-hs publishes
    assert links[("tr-us-pegasus-boeing-2024", "880240")] == [
        "8802", 4, _served("export", "HS4", "8802"), 3, None, 0, None, 0,
    ]  # fmt: skip
    # ExxonMobil LNG, announced 2024-05-08: 2711 in the 12 months before; no window given
    assert links[("tr-us-botas-exxonmobil-lng-2024", "271111")][:4] == [
        "2711", 4, _served("export", "HS4", "2711"), 3,
    ]  # fmt: skip
    # the steel tariff cut of 2019: chapter 72 imports in its open window from May 2019, the
    # three served months (the newest retrieval) and the bundled saved answer's other 21
    with duckdb.connect(str(rebuilt.db_path), read_only=True) as con:
        ((saved, saved_months),) = con.execute(
            "select sum(value_usd), count(*) from marts.us_turkey_trade_by_product "
            "where flow = 'import' and hs_level = 'HS2' and hs_code = '72' "
            "and source = 'census-hs saved answer'"
        ).fetchall()
    assert saved_months == 21
    assert links[("us-tr-steel-tariff-cut-2019", "72")][-2:] == [
        _served("import", "HS2", "72") + saved, 24,
    ]  # fmt: skip
    # Beylikova (announced 2025-10-06): no loaded month in any of its windows
    assert links[("tr-us-beylikova-ree-talks-2025", "284610")][2:6] == [None, 0, None, 0]
