"""What happens after the loads: dbt runs, tracked-figure snapshots, alerts."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

import duckdb

from ingest import warehouse
from ingest.ledger.schema import connect, has_table


class SnapshotHead(NamedTuple):
    snapshot_id: int
    taken_at: datetime
    releases: str  # JSON list of "source vintage"


class TrackedFigure(NamedTuple):
    snapshot_id: int
    figure: str
    period: str | None
    value: float | None
    unit: str
    label: str


class UnsentAlert(NamedTuple):
    alert_id: int
    title: str
    body: str


# --- dbt runs ---


def record_dbt_run(
    db_path: Path,
    *,
    started_at: datetime,
    success: bool,
    passed: int,
    failed: int,
    project_sha256: str,
) -> None:
    """Every `dbt build`, so the no-op check can ask whether a load came after the last one."""
    with connect(db_path) as con:
        con.execute(
            "insert into ops.dbt_runs values (?, ?, now(), ?, ?, ?, ?)",
            [uuid.uuid4().hex, started_at, success, passed, failed, project_sha256],
        )


def dbt_run_covers_every_load(db_path: Path) -> bool:
    """True when the last successful dbt build started after the newest successful load
    (a load with no dbt run since, e.g. `ingest deals` then `publish`, needs a build)."""
    with connect(db_path, read_only=True) as con:
        if not has_table(con, "dbt_runs"):
            return False
        row = con.execute(
            "select (select max(started_at) from ops.dbt_runs where success), "
            "(select max(finished_at) from ops.loads where status = 'ok')"
        ).fetchone()
    last_run, newest_load = row if row else (None, None)
    return last_run is not None and (newest_load is None or newest_load <= last_run)


def project_passed_a_build(db_path: Path, project_sha256: str) -> bool:
    """True when a `dbt build` of this very dbt project succeeded in this warehouse; the
    first successful build of a project always runs its unit tests (transform.py)."""
    with connect(db_path, read_only=True) as con:
        if not has_table(con, "dbt_runs"):
            return False
        row = con.execute(
            "select count(*) from ops.dbt_runs where success and project_sha256 = ?",
            [project_sha256],
        ).fetchone()
    return bool(row and row[0])


# --- tracked-figure snapshots (ingest/figures.py) ---


def loaded_releases(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(source, vintage) of every successful load that names its vintage."""
    return con.execute(
        "select distinct source, vintage from ops.loads "
        "where status = 'ok' and vintage is not null order by 1, 2"
    ).fetchall()


def record_snapshot(
    con: duckdb.DuckDBPyConnection,
    taken_at: datetime,
    releases: str,
    figures: Sequence[tuple[str, str | None, float | None, str, str]],
) -> int:
    """A new snapshot of (figure, period, value, unit, label) rows; its id."""
    [(snapshot_id,)] = con.execute(
        "select coalesce(max(snapshot_id), 0) + 1 from ops.figure_snapshots"
    ).fetchall()
    with warehouse.atomic(con):
        con.execute(
            "insert into ops.figure_snapshots values (?, ?, ?)",
            [snapshot_id, taken_at, releases],
        )
        if figures:  # a warehouse whose marts are still empty has no figure to track yet
            con.executemany(
                "insert into ops.tracked_figures values (?, ?, ?, ?, ?, ?)",
                [[snapshot_id, *figure] for figure in figures],
            )
    return int(snapshot_id)


def snapshots(
    con: duckdb.DuckDBPyConnection,
) -> tuple[list[SnapshotHead], list[TrackedFigure]]:
    """Every snapshot, oldest first, and every tracked figure (none before the first)."""
    if not has_table(con, "figure_snapshots"):
        return [], []
    heads = con.execute(
        "select snapshot_id, taken_at, releases from ops.figure_snapshots order by 1"
    ).fetchall()
    rows = con.execute(
        "select snapshot_id, figure, period, value, unit, label from ops.tracked_figures"
    ).fetchall()
    return [SnapshotHead(*head) for head in heads], [TrackedFigure(*row) for row in rows]


# --- alerts (ingest/alerts.py) ---


def record_alert(
    db_path: Path,
    *,
    created_at: datetime,
    snapshot_id: int,
    baseline_snapshot_id: int,
    title: str,
    body: str,
    figures: str,
    status: str,
) -> int:
    """A new alert, not yet attempted; its id."""
    with connect(db_path) as con:
        [(alert_id,)] = con.execute(
            "select coalesce(max(alert_id), 0) + 1 from ops.alerts"
        ).fetchall()
        con.execute(
            "insert into ops.alerts values (?, ?, ?, ?, ?, ?, ?, ?, 0, null, null, null)",
            [alert_id, created_at, snapshot_id, baseline_snapshot_id, title, body, figures, status],
        )
    return int(alert_id)


def unsent_alerts(db_path: Path) -> list[UnsentAlert]:
    """Alerts pending or failed, oldest first (none in a warehouse that never had one)."""
    with connect(db_path, read_only=True) as con:
        if not has_table(con, "alerts"):
            return []
    with connect(db_path) as con:
        rows = con.execute(
            "select alert_id, title, body from ops.alerts "
            "where status in ('pending', 'failed') order by alert_id"
        ).fetchall()
    return [UnsentAlert(*row) for row in rows]


def record_attempt(db_path: Path, alert_id: int, error: str | None) -> None:
    """One delivery attempt of an alert: sent, or failed with `error` (retried next run)."""
    with connect(db_path) as con:
        con.execute(
            "update ops.alerts set status = ?, attempts = attempts + 1, "
            "last_attempt_at = now(), last_error = ?, "
            "sent_at = case when ? then now() end where alert_id = ?",
            ["failed" if error else "sent", error, error is None, alert_id],
        )
