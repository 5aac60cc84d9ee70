"""`tradewatch ingest census-hs --live` against a small HTTP server on 127.0.0.1, then
`tradewatch transform`: the served values reach the raw tables and the marts unchanged.

The server answers from tests/fixtures/census_hs (synthetic values in the documented shape;
their HS2 chapters add up to the bundled census-country Turkey totals, so the reconciliation
test runs on real totals). The warehouse starts as a copy of the session's offline build.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from ingest import transform
from ingest.cli import app
from ingest.settings import Settings
from tests.ingest.sources.census_hs_api import FIXTURES, fixture_rows, local_server

KEY = "fedcba9876543210fedcba9876543210fedcba98"  # shaped like a key; not a real one
RECONCILIATION = "assert_hs2_chapters_sum_to_country_totals"


@pytest.fixture
def live_warehouse(
    built_warehouse: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Settings:
    db_path = tmp_path / "warehouse" / "tradewatch.duckdb"
    db_path.parent.mkdir(parents=True)
    shutil.copy(built_warehouse.db_path, db_path)
    monkeypatch.setenv("TRADEWATCH_DB", str(db_path))
    monkeypatch.setenv("TRADEWATCH_LANDING", str(tmp_path / "landing"))
    monkeypatch.setenv("CENSUS_API_KEY", KEY)
    return Settings.from_env()


def served_turkey_rows() -> set[tuple[str, str, str, str, int]]:
    """(month, flow, level, code, value) for every row the server answers with."""
    served = set()
    for path in sorted(FIXTURES.glob("*_HS[24].json")):
        endpoint, month, level = path.stem.split("_")
        flow, variable = ("export", "ALL_VAL_MO") if endpoint == "exports" else (
            "import", "GEN_VAL_MO",
        )  # fmt: skip
        for row in fixture_rows(path.name):
            code = row["E_COMMODITY" if flow == "export" else "I_COMMODITY"]
            served.add((month, flow, level, code, int(row[variable])))
    return served


def test_live_ingest_then_transform_carries_served_values_into_the_marts(
    live_warehouse: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    with local_server() as (base_url, paths):
        monkeypatch.setenv("CENSUS_API_BASE_URL", base_url)
        ingested = runner.invoke(
            app, ["ingest", "census-hs", "--live", "--from", "2024-01", "--to", "2024-03"]
        )
    assert ingested.exit_code == 0, ingested.output
    # 3 months x (2 flows x 2 HS levels + 2 flows x 4 basket stems), each asked once, with key
    assert len(paths) == 3 * (4 + 8)
    assert all(f"key={KEY}" in path for path in paths)
    assert any("E_COMMODITY=850511*&" in path for path in paths)  # the wildcard stays literal

    with duckdb.connect(str(live_warehouse.db_path), read_only=True) as con:
        statuses = dict(
            con.execute(
                "select status, count(*) from ops.loads where source = 'census-hs' group by 1"
            ).fetchall()
        )
        raw_rare_earths = con.execute(
            "select count(*) from raw_census_hs.rare_earths_by_partner"
        ).fetchone()
    assert statuses == {"ok": 12 + 2, "skipped": 36 - 14}  # months and stems without data: 204
    assert raw_rare_earths == (
        len(fixture_rows("imports_2024-01_2846.json"))
        + len(fixture_rows("exports_2024-01_850511.json")),
    )

    transformed = runner.invoke(app, ["transform"])
    assert transformed.exit_code == 0, transformed.output

    with duckdb.connect(str(live_warehouse.db_path), read_only=True) as con:
        mart = con.execute(
            "select strftime(month_date, '%Y-%m'), flow, hs_level, hs_code, value_usd "
            "from marts.us_turkey_trade_by_product"
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


def test_reconciliation_names_the_month_and_the_difference(
    live_warehouse: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    with local_server() as (base_url, _):
        monkeypatch.setenv("CENSUS_API_BASE_URL", base_url)
        result = CliRunner().invoke(
            app,
            ["ingest", "census-hs", "--live", "--from", "2024-02", "--to", "2024-02",
             "--dataset", "turkey_by_hs"],
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    agreeing = transform.run_dbt(live_warehouse, "test", "--select", RECONCILIATION)
    assert agreeing.success, agreeing.failures  # staging views see the new raw rows at once

    with duckdb.connect(str(live_warehouse.db_path)) as con:  # one chapter $1.2 million off
        con.execute(
            "update raw_census_hs.turkey_by_hs set all_val_mo = all_val_mo + 1200000 "
            "where month = '2024-02' and comm_lvl = 'HS2' and commodity = '88'"
        )
    failing = transform.run_dbt(live_warehouse, "test", "--select", RECONCILIATION)
    assert not failing.success
    (message,) = failing.failures
    assert message.startswith(f"{RECONCILIATION}: Got 1 result")
    assert "month_date=2024-02-01, flow=export" in message
    assert "difference_usd=1200000" in message


def test_cli_exits_non_zero_naming_the_failed_chunk(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRADEWATCH_HTTP_ATTEMPTS", "1")  # no retries, so no waiting
    with local_server(failing=frozenset({"exports_2024-01_HS4"})) as (base_url, paths):
        monkeypatch.setenv("CENSUS_API_BASE_URL", base_url)
        args = ["ingest", "census-hs", "--live", "--from", "2024-01", "--to", "2024-01",
                "--dataset", "turkey_by_hs"]  # fmt: skip
        result = CliRunner().invoke(app, args)
    assert result.exit_code == 75, result.output
    assert "1 chunk(s) failed" in result.output
    assert "turkey_by_hs exports:2024-01:HS4" in result.output
    assert "HTTP 500 after 1 attempts" in result.output
    assert len(paths) == 4 and result.output.count("│ ok ") == 3  # the others loaded
