"""What the newest load changed: two tracked-figure snapshots compared, and the revisions of
the releases that arrived in between (`tradewatch diff`, the alerts after `tradewatch run`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ingest import warehouse
from ingest.errors import TradewatchError
from ingest.figures import Figure, Snapshot, snapshots


class UnknownRelease(TradewatchError):
    """`--since` names a release no snapshot can be compared from (a usage error)."""

    exit_code = 2


@dataclass(frozen=True)
class FigureChange:
    figure: str
    label: str
    unit: str
    before_period: str | None
    before: float | None
    after_period: str | None
    after: float | None

    @property
    def change(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before

    @property
    def change_pct(self) -> float | None:
        if self.change is None or not self.before:
            return None
        return self.change / abs(self.before) * 100


@dataclass(frozen=True)
class Revision:
    release: str
    previous_release: str
    series: str  # partner, flow and period
    value: float
    previous_value: float
    unit: str

    @property
    def change(self) -> float:
        return self.value - self.previous_value

    @property
    def change_pct(self) -> float | None:
        return self.change / abs(self.previous_value) * 100 if self.previous_value else None


@dataclass(frozen=True)
class Diff:
    baseline: Snapshot | None
    current: Snapshot | None
    new_releases: tuple[str, ...]
    figures: tuple[FigureChange, ...]  # only the figures that changed
    revisions: tuple[Revision, ...]  # the largest revisions of the new releases
    revision_count: int  # every revised series of the new releases


def compute(db_path: Path, *, since: str | None = None, limit: int = 10) -> Diff:
    """Compare the newest snapshot with the previous one, or with the last one taken before
    the release `since` (a vintage such as 2024-06, or "census-country 2024-06") arrived."""
    history = snapshots(db_path)
    current = history[-1] if history else None
    baseline = _baseline(history, since)
    if current is None or baseline is None:
        return Diff(baseline, current, (), (), (), 0)
    new_releases = tuple(r for r in current.releases if r not in set(baseline.releases))
    figures = tuple(_changed(baseline.figures, current.figures))
    revisions, count = _revisions(db_path, new_releases, limit)
    return Diff(baseline, current, new_releases, figures, revisions, count)


def _baseline(history: list[Snapshot], since: str | None) -> Snapshot | None:
    if since is None:
        return history[-2] if len(history) > 1 else None
    matching = [s for s in history if any(_names(release, since) for release in s.releases)]
    if not matching:
        known = sorted({r for s in history for r in s.releases})
        raise UnknownRelease(
            f"--since {since}: no loaded release of that name; known: {', '.join(known) or 'none'}"
        )
    first_with = history.index(matching[0])
    if first_with == 0:
        raise UnknownRelease(
            f"--since {since}: the release was in the first snapshot; nothing older to compare"
        )
    return history[first_with - 1]


def _names(release: str, wanted: str) -> bool:
    return release == wanted or release.split(" ", 1)[-1] == wanted


def _changed(before: dict[str, Figure], after: dict[str, Figure]) -> list[FigureChange]:
    changes = []
    for key in [*after, *(k for k in before if k not in after)]:
        old, new = before.get(key), after.get(key)
        if old and new and (old.value, old.period) == (new.value, new.period):
            continue
        ref = new or old
        assert ref is not None
        changes.append(
            FigureChange(
                key,
                ref.label,
                ref.unit,
                old.period if old else None,
                old.value if old else None,
                new.period if new else None,
                new.value if new else None,
            )
        )
    return changes


TRADE_REVISIONS_SQL = """
select release_source || ' ' || release, previous_release_source || ' ' || previous_release,
       partner_name || ' ' || flow || ' ' ||
           case period_kind when 'month' then strftime(period_date, '%Y-%m')
                else cast(year(period_date) as varchar) end,
       value_usd, previous_value_usd, 'usd'
from marts.trade_release_revisions
where release_source || ' ' || release in (select unnest(?::varchar[]))
    and revision_usd <> 0 and not is_within_rounding
"""
SUPPLY_REVISIONS_SQL = """
select 'usgs-mcs ' || edition, 'usgs-mcs ' || previous_edition,
       country_name || ' mine production ' || year,
       mine_production_t_reo, previous_mine_production_t_reo, 't_reo'
from marts.supply_edition_revisions
where 'usgs-mcs ' || edition in (select unnest(?::varchar[])) and revision_t_reo <> 0
"""


def _revisions(
    db_path: Path, new_releases: tuple[str, ...], limit: int
) -> tuple[tuple[Revision, ...], int]:
    rows: list[tuple] = []
    with warehouse.connect(db_path, read_only=True) as con:
        for sql in (TRADE_REVISIONS_SQL, SUPPLY_REVISIONS_SQL):
            if new_releases:
                rows.extend(con.execute(sql, [list(new_releases)]).fetchall())
    revisions = [
        Revision(release, previous, series, float(value), float(previous_value), unit)
        for release, previous, series, value, previous_value, unit in rows
    ]
    revisions.sort(key=lambda r: (r.unit != "usd", -abs(r.change)))
    return tuple(revisions[:limit]), len(revisions)


RECORD_FIELDS = (
    "kind",
    "name",
    "label",
    "release",
    "unit",
    "before_period",
    "before",
    "after_period",
    "after",
    "change",
    "change_pct",
)
TABLE_FIELDS = ("kind", "name", "before_period", "before", "after_period", "after", "change_pct")


def records(diff: Diff) -> list[dict[str, object]]:
    """One flat row per changed figure and per listed revision (for csv, json and tables)."""
    rows: list[dict[str, object]] = [
        {
            "kind": "figure",
            "name": change.figure,
            "label": change.label,
            "release": None,
            "unit": change.unit,
            "before_period": change.before_period,
            "before": change.before,
            "after_period": change.after_period,
            "after": change.after,
            "change": change.change,
            "change_pct": _rounded(change.change_pct),
        }
        for change in diff.figures
    ]
    rows.extend(
        {
            "kind": "revision",
            "name": revision.series,
            "label": f"revised by {revision.release} (was {revision.previous_release})",
            "release": revision.release,
            "unit": revision.unit,
            "before_period": revision.previous_release,
            "before": revision.previous_value,
            "after_period": revision.release,
            "after": revision.value,
            "change": revision.change,
            "change_pct": _rounded(revision.change_pct),
        }
        for revision in diff.revisions
    )
    return rows


def headline(diff: Diff) -> str:
    if diff.current is None:
        return "no tracked-figure snapshot yet: run `tradewatch build` first"
    if diff.baseline is None:
        return f"only one snapshot ({_describe(diff.current)}): nothing to compare yet"
    releases = ", ".join(diff.new_releases) or "none"
    return (
        f"from snapshot {_describe(diff.baseline)} to {_describe(diff.current)}: "
        f"{len(diff.figures)} tracked figure(s) changed; new releases: {releases}; "
        f"{diff.revision_count} revised series in them"
    )


def _describe(snapshot: Snapshot) -> str:
    return f"{snapshot.snapshot_id} ({snapshot.taken_at:%Y-%m-%d %H:%M} UTC)"


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
