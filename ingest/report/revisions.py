"""Data for the report section "what the latest releases revised": the largest revisions the
newest Census releases made (U.S.–Turkey first, then every partner country) and the newest
USGS edition's revisions of mine production. Rows are display text."""

from __future__ import annotations

from datetime import date

import polars as pl

from ingest.report.marts import MartReader

TRADE_REVISIONS = "marts.trade_release_revisions"
SUPPLY_REVISIONS = "marts.supply_edition_revisions"
TRADE_COLUMNS = (
    "partner_census_code",
    "partner_name",
    "is_country",
    "flow",
    "period_kind",
    "period_date",
    "release",
    "previous_release",
    "value_usd",
    "previous_value_usd",
    "revision_usd",
    "revision_pct",
    "is_within_rounding",
    "release_date",
)
TRADE_HEADERS = ("release", "series", "previous release", "before", "after", "revision")
SUPPLY_HEADERS = ("edition", "country and year", "previous edition", "before", "after", "revision")
NEWEST_RELEASES = 2
TURKEY = "4890"

TRADE_SQL = f"""
with newest as (
    select distinct release, release_date from {TRADE_REVISIONS}
    order by release_date desc limit {NEWEST_RELEASES}
)
select release, partner_name, flow, period_kind, period_date, previous_release,
       previous_value_usd::double, value_usd::double, revision_usd::double, revision_pct
from {TRADE_REVISIONS}
where release in (select release from newest)
    and revision_usd <> 0 and not is_within_rounding
    and is_country and (? is null or partner_census_code = ?)
order by abs(revision_usd) desc
limit ?
"""
SUPPLY_SQL = f"""
select edition, country_name, year, previous_edition, previous_mine_production_t_reo,
       mine_production_t_reo, revision_t_reo, revision_pct
from {SUPPLY_REVISIONS}
where edition = (select max(edition) from {SUPPLY_REVISIONS}) and revision_t_reo <> 0
order by abs(revision_t_reo) desc
limit ?
"""


def newest_releases(reader: MartReader) -> list[str]:
    rows = reader.con.execute(
        f"select distinct release, release_date from {TRADE_REVISIONS} "
        f"order by release_date desc limit {NEWEST_RELEASES}"
    ).fetchall()
    return [release for release, _ in rows]


def trade_rows(reader: MartReader, *, partner: str | None, limit: int) -> list[tuple[str, ...]]:
    found = reader.con.execute(TRADE_SQL, [partner, partner, limit]).fetchall()
    return [_trade_row(*row) for row in found]


def _trade_row(
    release: str,
    partner_name: str,
    flow: str,
    kind: str,
    period: date,
    previous: str,
    before: float,
    after: float,
    revision: float,
    revision_pct: float | None,
) -> tuple[str, ...]:
    when = f"{period:%Y-%m}" if kind == "month" else f"{period:%Y} (year)"
    return (
        release,
        f"{partner_name}, {flow}s, {when}",
        previous,
        _musd(before),
        _musd(after),
        f"{_musd(revision, signed=True)} ({_pct(revision_pct)})",
    )


def chart_frame(reader: MartReader, *, limit: int = 12) -> pl.DataFrame:
    """The largest U.S.–Turkey revisions: a label per bar and the revision in USD million."""
    found = reader.con.execute(TRADE_SQL, [TURKEY, TURKEY, limit]).fetchall()
    rows = [_trade_row(*row) for row in found]
    return pl.DataFrame(
        {
            "label": [f"{row[1]} ({row[0]} vs {row[2]})" for row in rows],
            "revision_musd": [float(found_row[8]) / 1e6 for found_row in found],
        },
        schema={"label": pl.String, "revision_musd": pl.Float64},
    )


def supply_rows(reader: MartReader, *, limit: int) -> list[tuple[str, ...]]:
    if not reader.has(SUPPLY_REVISIONS):
        return []
    found = reader.con.execute(SUPPLY_SQL, [limit]).fetchall()
    return [
        (
            edition,
            f"{country}, {year}",
            previous,
            f"{before:,.0f} t",
            f"{after:,.0f} t",
            f"{revision:+,.0f} t ({_pct(revision_pct)})",
        )
        for edition, country, year, previous, before, after, revision, revision_pct in found
    ]


def _musd(value: float, *, signed: bool = False) -> str:
    return f"${value / 1e6:{'+' if signed else ''},.1f} million"


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.2f} %"
