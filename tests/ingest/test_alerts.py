"""Delivery of a recorded alert to a JSON webhook on 127.0.0.1 (apprise `json://`): sent at
the first attempt when the webhook answers. End to end, a moved figure's alert, its failed
first attempt and its retry by the next run are observed in test_revised_vintage.py; that a
forced run with the same data sends none, in test_scheduled_run.py (both share their runs
with other claims)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import duckdb

from ingest import alerts, ledger
from ingest.settings import Settings
from tests.webhooks import listening_webhook

BODY = "U.S.-Turkey trade in 2011: $15.00bn (2011) -> $16.00bn (2011)"


def _record_pending(settings: Settings) -> None:
    ledger.record_alert(
        settings.db_path,
        created_at=datetime.now(UTC),
        snapshot_id=2,
        baseline_snapshot_id=1,
        title="tradewatch: 1 tracked figure(s) moved",
        body=BODY,
        figures='["annual_total_usd_2011"]',
        status="pending",
    )


def _alerts(settings: Settings) -> list[tuple[object, ...]]:
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        return con.execute("select status, attempts, last_error from ops.alerts").fetchall()


def test_a_pending_alert_is_sent_at_the_first_attempt(settings: Settings) -> None:
    _record_pending(settings)
    with listening_webhook() as webhook:
        alerts.after_run(
            dataclasses.replace(settings, notify_urls=(webhook.url,)), new_snapshot=False
        )
    [notification] = webhook.received
    assert notification["title"] == "tradewatch: 1 tracked figure(s) moved"
    assert BODY in str(notification["message"])
    assert _alerts(settings) == [("sent", 1, None)]


def test_without_a_webhook_nothing_is_attempted(settings: Settings) -> None:
    _record_pending(settings)  # recorded while TRADEWATCH_NOTIFY_URLS was set, since unset
    alerts.after_run(settings, new_snapshot=False)
    assert _alerts(settings) == [("pending", 0, None)]
