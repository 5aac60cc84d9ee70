"""Alerts after `tradewatch run`: the same comparison as `tradewatch diff`; when a tracked
figure moves past its threshold, one notification through apprise, recorded in `ops.alerts`.

Sending is best effort: a notification that fails is logged, kept as `failed` and retried by
the next run; it never fails the run or changes its exit code.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from ingest import changes, ledger
from ingest.changes import FigureChange
from ingest.settings import Settings

log = logging.getLogger("tradewatch.alerts")


def moved(change: FigureChange, settings: Settings) -> bool:
    """A new or vanished figure always counts; otherwise its unit's threshold decides."""
    if change.change is None:
        return True
    if change.unit == "rank":
        return abs(change.change) >= settings.alert_min_rank_change
    if change.unit == "pct":
        return abs(change.change) >= settings.alert_min_change_points
    return change.change_pct is None or abs(change.change_pct) >= settings.alert_min_change_pct


def after_run(settings: Settings, *, new_snapshot: bool) -> None:
    """Record an alert for this run's snapshot if figures moved, then send every unsent one."""
    try:
        if new_snapshot:
            _record(settings)
        _deliver(settings)
    except Exception:  # alerts never decide a run's outcome
        log.exception("alerts: not recorded or not sent; the run's result is unaffected")


def _record(settings: Settings) -> None:
    diff = changes.compute(settings.db_path)
    if diff.baseline is None or diff.current is None:
        return
    figures = [change for change in diff.figures if moved(change, settings)]
    if not figures:
        log.info("alerts: no tracked figure moved past its threshold")
        return
    title = f"tradewatch: {len(figures)} tracked figure(s) moved"
    body = _body(figures, diff.new_releases)
    status = "pending" if settings.notify_urls else "not_configured"
    alert_id = ledger.record_alert(
        settings.db_path,
        created_at=datetime.now(UTC),
        snapshot_id=diff.current.snapshot_id,
        baseline_snapshot_id=diff.baseline.snapshot_id,
        title=title,
        body=body,
        figures=json.dumps([c.figure for c in figures]),
        status=status,
    )
    log.info("alerts: %s (alert %d, %s)", title, alert_id, status)


def _body(figures: list[FigureChange], new_releases: tuple[str, ...]) -> str:
    lines = [
        f"{c.label}: {_value(c.before, c.unit)} ({c.before_period or '-'}) -> "
        f"{_value(c.after, c.unit)} ({c.after_period or '-'})"
        for c in figures
    ]
    lines.append(f"new releases: {', '.join(new_releases) or 'none'}")
    return "\n".join(lines)


def _value(value: float | None, unit: str) -> str:
    if value is None:
        return "n/a"
    if unit == "usd":
        return f"${value / 1e9:,.2f}bn"
    return f"{value:,.2f}" + (" %" if unit == "pct" else "")


def _deliver(settings: Settings) -> None:
    if not settings.notify_urls:
        return
    for alert_id, title, body in ledger.unsent_alerts(settings.db_path):
        error = _send(settings.notify_urls, title, body)
        ledger.record_attempt(settings.db_path, alert_id, error)
        if error:
            log.warning("alerts: alert %d not sent (%s); retried next run", alert_id, error)
        else:
            log.info("alerts: alert %d sent", alert_id)


def _send(urls: tuple[str, ...], title: str, body: str) -> str | None:
    """None when every URL took the notification, else a one-line reason."""
    import apprise  # 0.2 s to import (measured): only a run that sends pays it

    # apprise's info lines name the endpoints it posts to, which can carry tokens
    logging.getLogger("apprise").setLevel(logging.WARNING)
    notifier = apprise.Apprise()
    for url in urls:
        if not notifier.add(url):
            return "an apprise URL in TRADEWATCH_NOTIFY_URLS is not valid"
    if notifier.notify(title=title, body=body):
        return None
    return "apprise could not deliver to every URL in TRADEWATCH_NOTIFY_URLS"
