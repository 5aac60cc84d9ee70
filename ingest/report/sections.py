"""The report's sections: which marts each reads, its chart, its caption and its tables.

Every section names its marts and columns here, in one place, so a change to a mart shows
up as a "not available" panel, never as a crash.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from ingest.report import charts, revisions
from ingest.report.content import (
    Fill,
    Section,
    Table,
    built,
    first_missing,
    pct,
    text,
    usd_bn,
    vintage_spans,
)
from ingest.report.deal_sections import (
    DEALS_COLUMNS,
    DEALS_MART,
    HISTORY,
    PIPELINE,
    deals_pipeline,
    deals_timeline,
)
from ingest.report.marts import BuildInfo, MartReader, Missing
from ingest.report.rare_earth_sections import (
    DEPENDENCE,
    SUPPLY,
    SUPPLY_LATEST,
    USGS,
    china_dependence,
    rare_earth_supply,
)

CENSUS = "U.S. Census Bureau, U.S. trade in goods by country (country.xlsx; public domain)"
PARTNER_RELEASES = (
    "U.S. Census Bureau, U.S. trade in goods by country, each year from the newest release "
    "holding every partner (country.xlsx, International Trade API, USA Trade Online; public "
    "domain)"
)
TRADE_SOURCES = ("census-country",)


@dataclass(frozen=True, kw_only=True)
class SectionSpec:
    """One section as data: its heading, the marts it reads and the function that draws it."""

    key: str
    title: str
    intro: str
    needs: tuple[str, ...]
    required: tuple[tuple[str, tuple[str, ...]], ...]  # (mart, columns it must have)
    fill: Fill


def all_sections(reader: MartReader, build: BuildInfo) -> list[Section]:
    return [build_section(spec, reader, build) for spec in SECTIONS]


def build_section(spec: SectionSpec, reader: MartReader, build: BuildInfo) -> Section:
    section = Section(spec.key, spec.title, spec.intro, spec.needs)
    section.missing = first_missing(
        *(reader.check(mart, columns) for mart, columns in spec.required)
    )
    if section.missing is None:
        section.missing = spec.fill(section, reader, build)
    return section


# --- trade against the goal -------------------------------------------------------------

MONTHLY = "marts.us_turkey_trade_monthly"
PROGRESS = "marts.trade_goal_progress"
SCENARIOS = "marts.trade_goal_scenarios"
PARTNERS = "marts.us_trade_partners_annual"
NOWCAST = "marts.trade_goal_nowcast"


def trade_goal(section: Section, reader: MartReader, build: BuildInfo) -> Missing | None:
    monthly = reader.frame(
        f"select month_date, us_exports_usd::double as exports, us_imports_usd::double as imports,"
        f" total_trade_t12m_usd::double as t12m, vintage from {MONTHLY} order by month_date"
    )
    latest = reader.frame(
        f"select month_date, total_trade_t12m_usd::double as t12m, goal_usd::double as goal, "
        f"pct_of_goal, cagr_5y_pct, projected_goal_year, total_trade_t12m_yoy_pct, "
        f"projected_goal_year_t12m, vintage "
        f"from {PROGRESS} order by month_date desc limit 1"
    ).row(0, named=True)
    scenarios = reader.frame(
        f"select target_year, required_annual_growth_pct from {SCENARIOS} "
        f"where month_date = ? order by target_year",
        [latest["month_date"]],
    )
    nowcast = _latest_nowcast(reader)
    section.figure = charts.trade_goal(monthly, latest, scenarios, nowcast)
    vintages = vintage_spans(monthly, "month_date")
    section.caption = f"Source: {CENSUS}. Vintage: {vintages}. {built(build)}"
    rows: list[tuple[str, ...]] = [
        ("Latest month", f"{latest['month_date']:%Y-%m}"),
        ("Trailing twelve months", usd_bn(latest["t12m"])),
        ("Share of the $100 billion goal", pct(latest["pct_of_goal"])),
        ("Growth over the last five years (a year)", pct(latest["cagr_5y_pct"])),
        ("Goal reached at that growth in", text(latest["projected_goal_year"])),
        ("Growth over the last twelve months", pct(latest["total_trade_t12m_yoy_pct"])),
        ("Goal reached at that growth in", text(latest["projected_goal_year_t12m"])),
    ]
    rows += [
        (f"Growth needed to reach the goal by {year}", pct(growth, none="target year passed"))
        for year, growth in scenarios.iter_rows()
    ]
    if nowcast is not None:
        rows += [
            (
                f"Nowcast of {nowcast['year']} ({nowcast['method']} method, months to "
                f"{nowcast['as_of_month']:%Y-%m})",
                f"{usd_bn(nowcast['nowcast'])} (80 % interval {usd_bn(nowcast['low'])} to "
                f"{usd_bn(nowcast['high'])})",
            ),
            (
                f"Needed each remaining month of {nowcast['year']} for the goal",
                usd_bn(nowcast["required_run_rate"]),
            ),
        ]
    section.tables.append(Table("Where the goal stands", ("measure", "value"), rows))
    return None


def _latest_nowcast(reader: MartReader) -> dict[str, Any] | None:
    """The newest nowcast, or None on a build without the nowcast mart (the chart omits it)."""
    columns = ("as_of_month", "year", "nowcast_total_usd", "nowcast_low_usd", "method")
    if reader.check(NOWCAST, columns) is not None:
        return None
    frame = reader.frame(
        f"select as_of_month, year, nowcast_total_usd::double as nowcast, "
        f"nowcast_low_usd::double as low, nowcast_high_usd::double as high, method, "
        f"required_run_rate_usd::double as required_run_rate "
        f"from {NOWCAST} order by as_of_month desc limit 1"
    )
    return frame.row(0, named=True)


def turkey_rank(section: Section, reader: MartReader, build: BuildInfo) -> Missing | None:
    turkey = reader.frame(
        f"select year, rank_by_total, share_of_us_total_pct, total_trade_usd::double as total, "
        f"source, vintage from {PARTNERS} where partner_iso3 = 'TUR' order by year"
    )
    if turkey.is_empty():
        return Missing((PARTNERS,), f"{PARTNERS} has no rows for Turkey (TUR)")
    partners = reader.frame(f"select year, count(*) as partners from {PARTNERS} group by year")
    turkey = turkey.join(partners, on="year", how="left")
    section.figure = charts.turkey_rank(turkey)
    section.caption = (
        f"Source: {PARTNER_RELEASES}. Vintage: {_release_spans(turkey)}. {built(build)}"
    )
    last = turkey.tail(5).reverse()
    section.tables.append(
        Table(
            "Recent years",
            ("year", "rank", "partners ranked", "share of U.S. trade", "total trade"),
            [
                (
                    str(row["year"]),
                    str(row["rank_by_total"]),
                    text(row["partners"]),
                    pct(row["share_of_us_total_pct"], digits=2),
                    usd_bn(row["total"]),
                )
                for row in last.iter_rows(named=True)
            ],
        )
    )
    return None


def _release_spans(partners: pl.DataFrame) -> str:
    """`census-country 2024-06 (1985–2012); census-hs 2025-10-18 (2013–2019); …`"""
    spans = (
        partners.group_by("source", "vintage")
        .agg(pl.col("year").min().alias("first"), pl.col("year").max().alias("last"))
        .sort("first")
    )
    return "; ".join(
        f"{row['source']} {row['vintage']} ({row['first']}–{row['last']})"
        for row in spans.iter_rows(named=True)
    )


# --- what the latest releases revised -----------------------------------------------------


def latest_revisions(section: Section, reader: MartReader, build: BuildInfo) -> Missing | None:
    newest = revisions.newest_releases(reader)
    section.figure = charts.revisions(revisions.chart_frame(reader))
    headers = revisions.TRADE_HEADERS
    for caption, partner in (
        ("U.S.–Turkey series: the largest revisions", revisions.TURKEY),
        ("Every partner country: the largest revisions", None),
    ):
        rows = revisions.trade_rows(reader, partner=partner, limit=10)
        section.tables.append(Table(caption, headers, rows or [("none",) * len(headers)]))
    supply = revisions.supply_rows(reader, limit=8)
    if supply:
        caption = "USGS: mine production revised by the newest edition (t REO)"
        section.tables.append(Table(caption, revisions.SUPPLY_HEADERS, supply))
    section.caption = (
        f"Source: {CENSUS}; {USGS}. Vintage: newest releases {', '.join(newest)} (release "
        f"dates approximate for the bundled copies). {built(build)}"
    )
    return None


SECTIONS: tuple[SectionSpec, ...] = (
    SectionSpec(
        key="trade-goal",
        title="U.S.–Turkey goods trade against the $100 billion goal",
        intro=(
            "Monthly U.S. exports to and imports from Turkey, the trailing twelve-month total, "
            "and the constant annual growth the total would need to reach $100 billion a year "
            "by each scenario year. No official target year exists; the years are scenarios. "
            "The diamond is this calendar year's nowcast from the months published so far, "
            "its bar the 80 % interval the backtest supports."
        ),
        needs=(MONTHLY, PROGRESS, SCENARIOS),
        required=(
            (
                MONTHLY,
                (
                    "month_date",
                    "us_exports_usd",
                    "us_imports_usd",
                    "total_trade_t12m_usd",
                    "vintage",
                ),
            ),
            (
                PROGRESS,
                (
                    "month_date",
                    "total_trade_t12m_usd",
                    "goal_usd",
                    "total_trade_t12m_yoy_pct",
                    "projected_goal_year_t12m",
                    "vintage",
                ),
            ),
            (SCENARIOS, ("month_date", "target_year", "required_annual_growth_pct")),
        ),
        fill=trade_goal,
    ),
    SectionSpec(
        key="revisions",
        title="What the latest releases revised",
        intro=(
            "Each Census release republishes earlier months and, each June, restates about "
            "three years. These are the largest changes the two newest releases made to "
            "values an earlier release had published (unpublished zero cells and differences "
            "within the 2026 series' rounding excluded), and the newest USGS edition's "
            "revisions of mine production."
        ),
        needs=(revisions.TRADE_REVISIONS,),
        required=((revisions.TRADE_REVISIONS, revisions.TRADE_COLUMNS),),
        fill=latest_revisions,
    ),
    SectionSpec(
        key="turkey-rank",
        title="Turkey's rank among U.S. trading partners",
        intro=(
            "Turkey's rank by total goods trade among all U.S. partner countries (groupings "
            "excluded) and its share of total U.S. goods trade, complete years only."
        ),
        needs=(PARTNERS,),
        required=(
            (
                PARTNERS,
                ("year", "partner_iso3", "rank_by_total", "share_of_us_total_pct", "vintage"),
            ),
        ),
        fill=turkey_rank,
    ),
    SectionSpec(
        key="rare-earth-supply",
        title="Rare-earth mine production: shares of world output",
        intro=(
            "Each country's share of world rare-earth mine production (tonnes of rare-earth "
            "oxide), from the newest USGS edition that reports the year."
        ),
        needs=(SUPPLY_LATEST, SUPPLY),
        required=(),  # either mart will do: rare_earth_supply checks which it reads
        fill=rare_earth_supply,
    ),
    SectionSpec(
        key="china-share",
        title="China's share of U.S. and Turkish rare-earth imports, by stage",
        intro=(
            "The share of each importer's rare-earth imports (by value) that comes from China, "
            "for each stage of the chain: ore, compounds, metals and magnets."
        ),
        needs=(DEPENDENCE,),
        required=(
            (
                DEPENDENCE,
                ("importer_iso3", "stage", "year", "source", "china_share_pct", "imports_usd"),
            ),
        ),
        fill=china_dependence,
    ),
    SectionSpec(
        key="deals-pipeline",
        title="Announced U.S.–Turkey deals: the pipeline by status",
        intro=(
            "How many announced U.S.–Turkey deals are at each status, and the sum of the "
            "one-off values they disclose. Announced value is not trade, and disclosed values "
            "mix bases (list prices, contract totals, estimates): read the register for each "
            "one. Goals and targets are not deals and are not counted."
        ),
        needs=(PIPELINE,),
        required=(
            (
                PIPELINE,
                (
                    "country_pair",
                    "status",
                    "deal_count",
                    "disclosed_value_usd",
                    "estimated_value_usd",
                ),
            ),
        ),
        fill=deals_pipeline,
    ),
    SectionSpec(
        key="deals-timeline",
        title="Deal status timeline",
        intro=(
            "Each deal's status over time, from the register's dated status events; "
            "an open period runs to the build date."
        ),
        needs=(HISTORY, DEALS_MART),
        required=(
            (HISTORY, ("deal_id", "status", "valid_from", "valid_to")),
            (DEALS_MART, DEALS_COLUMNS),
        ),
        fill=deals_timeline,
    ),
)
