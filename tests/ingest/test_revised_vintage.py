"""A further Census vintage, end to end: loaded with `--file`, then one `tradewatch run`
while the webhook cannot be reached, then a second run with a JSON webhook on 127.0.0.1
(apprise `json://`). Its revisions reach the marts; the first run records the alert and
exits 0 all the same, the second (nothing new: dbt skipped) sends the one notification
naming the figure the release moved; `tradewatch diff` names the release, the revised
series and the moved figure.

The copy also holds relations the dbt project no longer builds (a removed mart, the old basket
seed): the run drops them. One run on a copy of the session build, observed by every test
here (module fixture)."""

from __future__ import annotations

import json
from dataclasses import dataclass

import duckdb
import pytest
from typer.testing import CliRunner

from ingest.cli import app
from ingest.settings import Settings
from tests.census_vintages import write_revised_vintage
from tests.warehouse_copies import copy_built, settings_env
from tests.webhooks import closed_port_url, listening_webhook

REVISION_USD = 1_000_000_000
RETIRED = (  # a mart, the seed the basket used to be, a staging view: none built any more
    "create table marts.retired_mart as select 1 as stale_usd",
    "create table reference.rare_earth_hs_basket as select '2846' as hs_code",
    "create view staging.stg_retired__things as select 1 as thing",
)


@dataclass(frozen=True)
class RevisedRun:
    settings: Settings
    env: dict[str, str]
    alerts_after_first_run: list[tuple[object, ...]]
    second_run_output: str
    notifications: list[dict[str, object]]


@pytest.fixture(scope="module")
def revised(built_warehouse: Settings, tmp_path_factory: pytest.TempPathFactory) -> RevisedRun:
    root = tmp_path_factory.mktemp("revised_vintage")
    settings = copy_built(built_warehouse, root)
    env = settings_env(settings)
    runner = CliRunner()
    with duckdb.connect(str(settings.db_path)) as con:  # what a removed model left behind
        for statement in RETIRED:
            con.execute(statement)
    workbook = write_revised_vintage(root / "country.xlsx")
    loaded = runner.invoke(app, ["ingest", "census-country", "--file", str(workbook)], env=env)
    assert loaded.exit_code == 0, loaded.output
    assert "2024-07" in loaded.output
    unreachable = {**env, "TRADEWATCH_NOTIFY_URLS": closed_port_url()}
    ran = runner.invoke(app, ["run", "--no-freshness"], env=unreachable)
    assert ran.exit_code == 0, ran.output  # an alert not sent never fails the run
    after_first_run = _alerts(settings)
    with listening_webhook() as webhook:
        again = runner.invoke(
            app, ["run", "--no-freshness"], env={**env, "TRADEWATCH_NOTIFY_URLS": webhook.url}
        )
    assert again.exit_code == 0, again.output
    return RevisedRun(settings, env, after_first_run, again.output, webhook.received)


def _alerts(settings: Settings) -> list[tuple[object, ...]]:
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        return con.execute("select status, attempts, figures from ops.alerts").fetchall()


def test_one_notification_when_a_release_moves_a_figure(revised: RevisedRun) -> None:
    assert len(revised.notifications) == 1
    [notification] = revised.notifications
    assert "U.S.-Turkey trade in 2011" in str(notification["message"])
    assert "census-country 2024-07" in str(notification["message"])
    [(_, _, figures)] = _alerts(revised.settings)
    assert "annual_total_usd_2011" in json.loads(str(figures))


def test_an_unreachable_webhook_is_retried_next_run(revised: RevisedRun) -> None:
    assert [row[:2] for row in revised.alerts_after_first_run] == [("failed", 1)]
    assert "nothing changed" in revised.second_run_output  # the retry needed no new data
    assert [row[:2] for row in _alerts(revised.settings)] == [("sent", 2)]


def test_a_new_vintage_adds_revisions_that_diff_names(revised: RevisedRun) -> None:
    runner, env = CliRunner(), revised.env
    with duckdb.connect(str(revised.settings.db_path), read_only=True) as con:
        revised_rows = con.execute(
            "select flow, period_kind, strftime(period_date, '%Y-%m'), previous_release, "
            "revision_usd from marts.trade_release_revisions "
            "where release = '2024-07' and revision_usd <> 0 order by period_kind"
        ).fetchall()
    assert revised_rows == [
        ("import", "month", "2011-05", "2024-06", REVISION_USD),
        ("import", "year", "2011-01", "2024-06", REVISION_USD),
    ]

    answer = runner.invoke(app, ["diff", "--format", "json"], env=env)
    assert answer.exit_code == 0, answer.output
    diff = json.loads(answer.stdout)
    assert diff["new_releases"] == ["census-country 2024-07"]
    figures = {row["name"]: row for row in diff["changes"] if row["kind"] == "figure"}
    assert figures["annual_total_usd_2011"]["change"] == REVISION_USD
    assert "t12m_total_usd" not in figures  # 2025-09 to 2026-08 come from the 2026 series
    revisions = [row for row in diff["changes"] if row["kind"] == "revision"]
    assert sorted((row["name"], row["release"], row["change"]) for row in revisions) == [
        ("Turkey import 2011", "census-country 2024-07", REVISION_USD),
        ("Turkey import 2011-05", "census-country 2024-07", REVISION_USD),
    ]

    since = runner.invoke(app, ["diff", "--since", "2024-07", "--format", "csv"], env=env)
    assert since.exit_code == 0, since.output
    assert since.stdout.splitlines()[0].startswith("kind,name,label,release")
    assert "Turkey import 2011-05" in since.stdout
    table = runner.invoke(app, ["diff"], env=env)
    assert "census-country 2024-07" in table.stdout
    assert "2 revised series" in table.stdout


def test_a_later_build_of_the_same_dbt_project_reuses_its_parse_and_leaves_unit_tests_out(
    revised: RevisedRun,
) -> None:
    """The session build ran the unit tests and parsed the project; this copy's run did
    neither again: the same project passed a build here, and the copy's path is not part
    of what dbt parsed (it runs beside the warehouse, ingest/transform.py)."""
    dbt_dir = revised.settings.db_path.parent / "dbt"
    results = json.loads((dbt_dir / "target" / "run_results.json").read_text())
    kinds = {item["unique_id"].split(".", 1)[0] for item in results["results"]}
    assert "unit_test" not in kinds and {"model", "test", "snapshot"} <= kinds
    manifest = json.loads((revised.settings.published_dir / "manifest.json").read_text())
    assert manifest["dbt"]["excluded_resource_types"] == ["unit_test"]
    log = (dbt_dir / "logs" / "dbt.log").read_text(errors="replace")
    assert "Unable to do partial parsing" not in log.split("Running with dbt")[-1]


def test_relations_the_dbt_project_no_longer_builds_are_dropped(revised: RevisedRun) -> None:
    sql = (
        "select schema_name || '.' || table_name from duckdb_tables() "
        "union all select schema_name || '.' || view_name from duckdb_views() where not internal"
    )
    with duckdb.connect(str(revised.settings.db_path), read_only=True) as con:
        live = {row[0] for row in con.execute(sql).fetchall()}
    with duckdb.connect(str(revised.settings.published_dir / "tradewatch.duckdb"), True) as con:
        published = {row[0] for row in con.execute(sql).fetchall()}
    retired = {
        "marts.retired_mart",
        "reference.rare_earth_hs_basket",
        "staging.stg_retired__things",
    }
    assert live & retired == set() and published & retired == set()
    assert {"marts.trade_goal_progress", "raw_reference.rare_earth_hs_basket", "ops.loads"} <= live
