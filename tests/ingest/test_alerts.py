"""Alerts after `tradewatch run`, end to end against a JSON webhook on 127.0.0.1 (apprise
`json://`): a webhook that cannot be reached is retried by the next run. The alert a moved
figure sends is observed in test_revised_vintage.py, and that a forced run with the same
data sends none in test_scheduled_run.py (both share their run with other claims)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from ingest.cli import app
from ingest.settings import Settings
from tests.census_vintages import write_revised_vintage
from tests.warehouse_copies import copy_built, settings_env
from tests.webhooks import Webhook, closed_port_url, listening_webhook


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    with listening_webhook() as server:
        yield server


def run(env: dict[str, str], *args: str) -> None:
    result = CliRunner().invoke(app, ["run", "--no-freshness", *args], env=env)
    assert result.exit_code == 0, result.output


def alerts(settings: Settings) -> list[tuple[object, ...]]:
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        return con.execute("select status, attempts, figures from ops.alerts").fetchall()


def test_an_unreachable_webhook_is_retried_next_run(
    built_warehouse: Settings, tmp_path: Path, webhook: Webhook
) -> None:
    settings = copy_built(built_warehouse, tmp_path)
    env = settings_env(settings)
    workbook = write_revised_vintage(tmp_path / "country.xlsx")
    result = CliRunner().invoke(app, ["ingest", "census-country", "--file", str(workbook)], env=env)
    assert result.exit_code == 0, result.output

    run({**env, "TRADEWATCH_NOTIFY_URLS": closed_port_url()})  # exit 0 all the same
    assert [row[:2] for row in alerts(settings)] == [("failed", 1)]

    run({**env, "TRADEWATCH_NOTIFY_URLS": webhook.url})  # nothing new: dbt skipped, alert retried
    assert len(webhook.received) == 1
    assert [row[:2] for row in alerts(settings)] == [("sent", 2)]
