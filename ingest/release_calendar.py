"""How fresh the DATA is: the latest period a source holds against the publisher's calendar.

A load made a minute ago can still hold data that ends months before the publisher's newest
release; `tradewatch status` reports both. Each source declares its period, the SQL that finds
the latest period it holds, and the publisher's usual release lag: the period is expected
`lag_days` after it ends, and counts as stale when a further `GRACE_DAYS` have passed without it.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

import duckdb

GRACE_DAYS = 7  # a release can slip by a few days (holidays, a shutdown) before it is late


@dataclass(frozen=True)
class ReleaseCalendar:
    period: str  # "month" or "year": the unit the publisher releases
    latest_sql: str  # the latest period held, as the first day of the month / year
    lag_days: int  # from the end of a period to its usual publication
    why: str  # where the lag comes from

    def expected_latest(self, today: date) -> date:
        """The newest period the publisher has usually released by `today`."""
        cutoff = today - timedelta(days=self.lag_days + GRACE_DAYS)
        if self.period == "year":
            ended = cutoff.year if (cutoff.month, cutoff.day) == (12, 31) else cutoff.year - 1
            return date(ended, 1, 1)
        last_day = calendar.monthrange(cutoff.year, cutoff.month)[1]
        if cutoff.day == last_day:  # this month itself has ended
            return cutoff.replace(day=1)
        return (cutoff.replace(day=1) - timedelta(days=1)).replace(day=1)

    def describe_lag(self) -> str:
        return f"~{self.lag_days} d after the {self.period} ends"


# The lag per source (sources without a calendar, e.g. code lists and the deals register,
# are absent: their freshness is their load time only).
CALENDARS: dict[str, ReleaseCalendar] = {
    # FT-900: "roughly 35 days after the reference month" (census.gov/foreign-trade/schedule.html;
    # docs shelf census_api.md §8): on 2026-09-08 the newest month was 2026-07
    "census-country": ReleaseCalendar(
        "month",
        "select max(make_date(year::int, month::int, 1)) from raw_census_country.monthly_flows",
        35,
        "Census FT-900 schedule",
    ),
    # the International Trade API adds each month on the same FT-900 release day
    "census-hs": ReleaseCalendar(
        "month",
        "select max(strptime(month, '%Y-%m')::date) from raw_census_hs.turkey_by_hs",
        35,
        "Census FT-900 schedule",
    ),
    # Mineral Commodity Summaries: one edition a year at the end of January (MCS 2025: 31 Jan
    # 2025), with estimates for the year just ended
    "usgs-mcs": ReleaseCalendar(
        "year",
        "select make_date(max(year)::int, 1, 1) from raw_usgs_mcs.world_production",
        31,
        "USGS MCS, each January",
    ),
    # BACI is "released every January as version YYYYMM" (docs shelf trade_data_methods.md)
    # and reaches two years back: V202601 ends with 2024, so a year is out 13 months after it ends
    "baci": ReleaseCalendar(
        "year",
        "select make_date(max(year)::int, 1, 1) from raw_baci.atlas_trade",
        365 + 31,
        "CEPII BACI, each January, two years back",
    ),
    # TurkStat publishes the year's provisional foreign-trade totals at the end of January
    # (the press figures cite that release)
    "turkstat": ReleaseCalendar(
        "year",
        "select make_date(max(year)::int, 1, 1) from raw_turkstat.turkey_usa_annual",
        31,
        "TurkStat annual foreign trade, end of January",
    ),
}


@dataclass(frozen=True)
class DataFreshness:
    source: str
    latest: date | None  # None: the source holds no rows
    expected: date
    calendar: ReleaseCalendar

    @property
    def periods_behind(self) -> int:
        if self.latest is None:
            return 0
        if self.calendar.period == "year":
            return max(self.expected.year - self.latest.year, 0)
        months = (self.expected.year - self.latest.year) * 12 + self.expected.month
        return max(months - self.latest.month, 0)

    @property
    def is_stale(self) -> bool:
        return self.latest is not None and self.periods_behind > 0

    def show_period(self, value: date | None) -> str:
        if value is None:
            return ""
        return str(value.year) if self.calendar.period == "year" else f"{value:%Y-%m}"


def data_freshness(
    con: duckdb.DuckDBPyConnection, loaded: set[str], today: date
) -> list[DataFreshness]:
    """One row per loaded source with a release calendar."""
    rows = []
    for source, release in CALENDARS.items():
        if source not in loaded:
            continue
        try:
            (latest,) = con.execute(release.latest_sql).fetchone() or (None,)
        except duckdb.CatalogException:  # the raw table was never created
            latest = None
        rows.append(DataFreshness(source, latest, release.expected_latest(today), release))
    return rows
