"""Alerts after `tradewatch run`, end to end against a JSON webhook on 127.0.0.1 (apprise
`json://`): one notification for a run whose new release moves a tracked figure, none when
nothing moves, and a webhook that cannot be reached is retried by the next run."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from ingest.cli import app
from ingest.settings import Settings
from tests.census_vintages import write_revised_vintage
from tests.warehouse_copies import copy_built, settings_env


class Webhook(ThreadingHTTPServer):
    def __init__(self) -> None:
        self.received: list[dict[str, object]] = []
        super().__init__(("127.0.0.1", 0), _Handler)

    @property
    def url(self) -> str:
        return f"json://127.0.0.1:{self.server_address[1]}/hook"


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        self.server.received.append(json.loads(self.rfile.read(length)))  # type: ignore[attr-defined]
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    server = Webhook()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"json://127.0.0.1:{port}/hook"  # nothing listens there any more


def run(env: dict[str, str], *args: str) -> None:
    result = CliRunner().invoke(app, ["run", "--no-freshness", *args], env=env)
    assert result.exit_code == 0, result.output


def alerts(settings: Settings) -> list[tuple[object, ...]]:
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        return con.execute("select status, attempts, figures from ops.alerts").fetchall()


def load_revised_vintage(env: dict[str, str], tmp_path: Path) -> None:
    workbook = write_revised_vintage(tmp_path / "country.xlsx")
    result = CliRunner().invoke(app, ["ingest", "census-country", "--file", str(workbook)], env=env)
    assert result.exit_code == 0, result.output


def test_one_notification_when_a_release_moves_a_figure_and_none_otherwise(
    built_warehouse: Settings, tmp_path: Path, webhook: Webhook
) -> None:
    settings = copy_built(built_warehouse, tmp_path)
    env = {**settings_env(settings), "TRADEWATCH_NOTIFY_URLS": webhook.url}

    run(env, "--force")  # dbt and a new snapshot, but the same data: nothing moves
    assert webhook.received == []

    load_revised_vintage(env, tmp_path)
    run(env)
    assert len(webhook.received) == 1
    [notification] = webhook.received
    assert "U.S.-Turkey trade in 2011" in str(notification["message"])
    assert "census-country 2024-07" in str(notification["message"])
    [(status, attempts, figures)] = alerts(settings)
    assert (status, attempts) == ("sent", 1)
    assert "annual_total_usd_2011" in json.loads(str(figures))


def test_an_unreachable_webhook_is_retried_next_run(
    built_warehouse: Settings, tmp_path: Path, webhook: Webhook
) -> None:
    settings = copy_built(built_warehouse, tmp_path)
    env = settings_env(settings)
    load_revised_vintage(env, tmp_path)

    run({**env, "TRADEWATCH_NOTIFY_URLS": closed_port_url()})  # exit 0 all the same
    assert [row[:2] for row in alerts(settings)] == [("failed", 1)]

    run({**env, "TRADEWATCH_NOTIFY_URLS": webhook.url})  # nothing new: dbt skipped, alert retried
    assert len(webhook.received) == 1
    assert [row[:2] for row in alerts(settings)] == [("sent", 2)]
