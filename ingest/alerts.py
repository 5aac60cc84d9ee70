"""Alerts after `tradewatch run`: the same comparison as `tradewatch diff`; when a tracked
figure moves past its threshold, one notification through apprise, recorded in `ops.alerts`.

Sending is best effort: a notification that fails is logged, kept as `failed` and retried by
the next run; it never fails the run or changes its exit code.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path

from ingest import changes, warehouse
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
    with warehouse.connect(settings.db_path) as con:
        [(alert_id,)] = con.execute(
            "select coalesce(max(alert_id), 0) + 1 from ops.alerts"
        ).fetchall()
        con.execute(
            "insert into ops.alerts values (?, ?, ?, ?, ?, ?, ?, ?, 0, null, null, null)",
            [
                alert_id,
                datetime.now(UTC),
                diff.current.snapshot_id,
                diff.baseline.snapshot_id,
                title,
                body,
                json.dumps([c.figure for c in figures]),
                status,
            ],
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
    if not settings.notify_urls or not _has_alerts(settings.db_path):
        return
    with warehouse.connect(settings.db_path) as con:
        unsent = con.execute(
            "select alert_id, title, body from ops.alerts "
            "where status in ('pending', 'failed') order by alert_id"
        ).fetchall()
    for alert_id, title, body in unsent:
        error = _send(settings.notify_urls, title, body)
        with warehouse.connect(settings.db_path) as con:
            con.execute(
                "update ops.alerts set status = ?, attempts = attempts + 1, "
                "last_attempt_at = now(), last_error = ?, "
                "sent_at = case when ? then now() end where alert_id = ?",
                ["failed" if error else "sent", error, error is None, alert_id],
            )
        if error:
            log.warning("alerts: alert %d not sent (%s); retried next run", alert_id, error)
        else:
            log.info("alerts: alert %d sent", alert_id)


def _send(urls: tuple[str, ...], title: str, body: str) -> str | None:
    """None when every URL took the notification, else a one-line reason."""
    import apprise

    # apprise's info lines name the endpoints it posts to, which can carry tokens
    logging.getLogger("apprise").setLevel(logging.WARNING)
    notifier = apprise.Apprise()
    for url in urls:
        if not notifier.add(url):
            return "an apprise URL in TRADEWATCH_NOTIFY_URLS is not valid"
    if notifier.notify(title=title, body=body):
        return None
    return "apprise could not deliver to every URL in TRADEWATCH_NOTIFY_URLS"


def _has_alerts(db_path: Path) -> bool:
    with warehouse.connect(db_path, read_only=True) as con:
        found = con.execute(
            "select count(*) from duckdb_tables() "
            "where schema_name = 'ops' and table_name = 'alerts'"
        ).fetchone()
    return bool(found and found[0])
