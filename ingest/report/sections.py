"""The report's sections: which marts each reads, its chart, its caption and its tables.

Every section names its marts and columns here, in one place, so a change to a mart shows
up as a "not available" panel, never as a crash.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import polars as pl
from matplotlib.figure import Figure

from ingest.report import charts, revisions
from ingest.report.marts import BuildInfo, MartReader, Missing

CENSUS = "U.S. Census Bureau, U.S. trade in goods by country (country.xlsx; public domain)"
PARTNER_RELEASES = (
    "U.S. Census Bureau, U.S. trade in goods by country, each year from the newest release "
    "holding every partner (country.xlsx, International Trade API, USA Trade Online; public "
    "domain)"
)
USGS = "USGS Mineral Commodity Summaries, rare earths (public domain)"
DEALS = "tradewatch deals register (announcements with their cited sources)"
TRADE_SOURCES = ("census-country",)

STAGE_ORDER = ("ore", "compound", "metal", "magnet")
STATUS_ORDER = (
    "announced",
    "talks",
    "signed",
    "in_progress",
    "operational",
    "stalled",
    "cancelled",
)


@dataclass(frozen=True)
class Table:
    caption: str
    headers: tuple[str, ...]
    rows: list[tuple[str, ...]]
    links: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) -> URL


@dataclass
class Section:
    key: str
    title: str
    intro: str
    needs: tuple[str, ...]
    figure: Figure | None = None
    caption: str = ""
    tables: list[Table] = field(default_factory=list)
    missing: Missing | None = None


# draws a section whose required marts are present, or says what else it lacks
Fill = Callable[[Section, MartReader, BuildInfo], Missing | None]


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
    section.missing = _first_missing(
        *(reader.check(mart, columns) for mart, columns in spec.required)
    )
    if section.missing is None:
        section.missing = spec.fill(section, reader, build)
    return section


def built(build: BuildInfo) -> str:
    if build.build_id:
        return f"Built {build.built_at} (build {build.build_id})."
    return f"Built {build.built_at} (unpublished warehouse)."


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
        f"select as_of_month, total_trade_t12m_usd::double as t12m, goal_usd::double as goal, "
        f"pct_of_goal, cagr_5y_pct, projected_goal_year, vintage "
        f"from {PROGRESS} order by as_of_month desc limit 1"
    ).row(0, named=True)
    scenarios = reader.frame(
        f"select target_year, required_annual_growth_pct from {SCENARIOS} "
        f"where as_of_month = ? order by target_year",
        [latest["as_of_month"]],
    )
    nowcast = _latest_nowcast(reader)
    section.figure = charts.trade_goal(monthly, latest, scenarios, nowcast)
    vintages = _vintage_spans(monthly, "month_date")
    section.caption = f"Source: {CENSUS}. Vintage: {vintages}. {built(build)}"
    rows = [
        ("Latest month", f"{latest['as_of_month']:%Y-%m}"),
        ("Trailing twelve months", _usd_bn(latest["t12m"])),
        ("Share of the $100 billion goal", _pct(latest["pct_of_goal"])),
        ("Growth over the last five years (a year)", _pct(latest["cagr_5y_pct"])),
        ("Goal reached at that growth in", _text(latest["projected_goal_year"])),
    ]
    rows += [
        (f"Growth needed to reach the goal by {year}", _pct(growth, none="target year passed"))
        for year, growth in scenarios.iter_rows()
    ]
    if nowcast is not None:
        rows += [
            (
                f"Nowcast of {nowcast['year']} ({nowcast['method']} method, months to "
                f"{nowcast['as_of_month']:%Y-%m})",
                f"{_usd_bn(nowcast['nowcast'])} (80 % interval {_usd_bn(nowcast['low'])} to "
                f"{_usd_bn(nowcast['high'])})",
            ),
            (
                f"Needed each remaining month of {nowcast['year']} for the goal",
                _usd_bn(nowcast["required_run_rate"]),
            ),
        ]
    section.tables.append(Table("Where the goal stands", ("measure", "value"), rows))
    return None


def _latest_nowcast(reader: MartReader) -> dict[str, object] | None:
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
                    _text(row["partners"]),
                    _pct(row["share_of_us_total_pct"], digits=2),
                    _usd_bn(row["total"]),
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


# --- rare earths -----------------------------------------------------------------------

SUPPLY = "marts.rare_earth_supply"
SUPPLY_LATEST = "marts.rare_earth_supply_latest"
DEPENDENCE = "marts.rare_earth_import_dependence"
SUPPLY_COLUMNS = (
    "edition",
    "country_iso3",
    "country_name",
    "year",
    "mine_production_t_reo",
    "share_of_world_production_pct",
)


def rare_earth_supply(section: Section, reader: MartReader, build: BuildInfo) -> Missing | None:
    table = SUPPLY_LATEST if reader.check(SUPPLY_LATEST, SUPPLY_COLUMNS) is None else SUPPLY
    missing = reader.check(table, SUPPLY_COLUMNS)
    if missing:
        if table == SUPPLY and not reader.has(SUPPLY_LATEST):
            return Missing((SUPPLY_LATEST, SUPPLY), f"{missing.reason} (nor is {SUPPLY_LATEST})")
        return missing
    supply = reader.frame(
        f"""
        select edition, country_iso3, country_name, year,
               mine_production_t_reo::double as production_t,
               share_of_world_production_pct::double as share_pct
        from {table}
        where country_iso3 is not null and share_of_world_production_pct is not null
        -- one edition per year, never mixed: the newest that publishes the year
        qualify edition = max(edition) over (partition by year)
        order by year, country_iso3
        """
    )
    if supply.is_empty():
        return Missing((table,), f"{table} has no country shares in this build")
    section.figure = charts.production_shares(supply)
    editions = ", ".join(sorted(set(supply["edition"].to_list())))
    section.caption = f"Source: {USGS}. Vintage: editions {editions}. {built(build)}"
    latest_year = supply["year"].max()
    top = supply.filter(pl.col("year") == latest_year).sort("share_pct", descending=True)
    section.tables.append(
        Table(
            f"Largest producers in {latest_year}",
            ("country", "mine production (t REO)", "share of world", "edition"),
            [
                (
                    row["country_name"],
                    _number(row["production_t"]),
                    _pct(row["share_pct"]),
                    row["edition"],
                )
                for row in top.head(8).iter_rows(named=True)
            ],
        )
    )
    return None


def china_dependence(section: Section, reader: MartReader, build: BuildInfo) -> Missing | None:
    vintage_column = reader.first(DEPENDENCE, "vintage")
    vintage_sql = vintage_column or "null::varchar"
    shares = reader.frame(
        f"select importer_iso3, stage, year, source, china_share_pct::double as china_share_pct,"
        f" imports_usd::double as imports_usd, {vintage_sql} as vintage from {DEPENDENCE} "
        f"where importer_iso3 in ('USA', 'TUR') and china_share_pct is not null "
        f"order by importer_iso3, stage, source, year"
    )
    if shares.is_empty():
        return Missing((DEPENDENCE,), f"{DEPENDENCE} has no rows for USA or TUR")
    section.figure = charts.china_shares(shares, STAGE_ORDER)
    sources = sorted(set(shares["source"].to_list()))
    vintages = sorted(set(shares["vintage"].drop_nulls().to_list())) or reader.source_vintages(
        *sources
    )
    loaded = reader.last_loaded(*sources) or "?"
    shown = ", ".join(vintages) if vintages else f"as loaded {loaded}"
    section.caption = (
        f"Source: {', '.join(sources)} (rare-earth HS basket, by stage). "
        f"Vintage: {shown}. {built(build)}"
    )
    latest = shares.filter(pl.col("year") == shares["year"].max()).sort("importer_iso3", "stage")
    section.tables.append(
        Table(
            f"China's share in {shares['year'].max()}",
            ("importer", "stage", "source", "imports (USD)", "China's share"),
            [
                (
                    row["importer_iso3"],
                    row["stage"],
                    row["source"],
                    _number(row["imports_usd"]),
                    _pct(row["china_share_pct"]),
                )
                for row in latest.iter_rows(named=True)
            ],
        )
    )
    return None


# --- deals -----------------------------------------------------------------------------

DEALS_MART = "marts.deals"
PIPELINE = "marts.deals_pipeline"
HISTORY = "marts.deal_status_history"
PIPELINE_COUNT = ("deal_count", "deals", "n_deals")
PIPELINE_VALUE = ("disclosed_value_usd", "value_usd", "total_value_usd")


def deals_pipeline(section: Section, reader: MartReader, build: BuildInfo) -> Missing | None:
    count = reader.first(PIPELINE, *PIPELINE_COUNT)
    value = reader.first(PIPELINE, *PIPELINE_VALUE)
    missing = reader.check(PIPELINE, ("status", count or PIPELINE_COUNT[0]))
    if missing:
        return missing
    value_sql = f"sum({value})::double" if value else "null::double"
    pipeline = reader.frame(
        f"select status, sum({count})::bigint as deals, {value_sql} as value_usd "
        f"from {PIPELINE} group by status"
    )
    pipeline = _in_order(pipeline, "status", STATUS_ORDER)
    section.figure = charts.pipeline(pipeline)
    section.caption = f"Source: {DEALS}. Vintage: {_deals_vintage(reader)}. {built(build)}"
    section.tables.append(
        Table(
            "Deals by status",
            ("status", "deals", "disclosed value"),
            [
                (row["status"], str(row["deals"]), _usd_bn(row["value_usd"]))
                for row in pipeline.iter_rows(named=True)
            ],
        )
    )
    return None


def deals_timeline(section: Section, reader: MartReader, build: BuildInfo) -> Missing | None:
    history = reader.frame(
        f"""
        select history.deal_id, deals.title, history.status,
               history.valid_from::date as valid_from, history.valid_to::date as valid_to
        from {HISTORY} as history
        inner join {DEALS_MART} as deals on history.deal_id = deals.deal_id
        where history.valid_from is not null
        order by history.valid_from, history.deal_id
        """
    )
    if history.is_empty():
        return Missing((HISTORY,), f"{HISTORY} has no dated status periods")
    section.figure = charts.timeline(history, STATUS_ORDER, today=_build_date(build))
    section.caption = f"Source: {DEALS}. Vintage: {_deals_vintage(reader)}. {built(build)}"
    section.tables.append(_deals_table(reader))
    return None


def _deals_table(reader: MartReader) -> Table:
    optional = {
        "status_date": reader.first(DEALS_MART, "status_date", "status_as_of"),
        "value": reader.first(DEALS_MART, "value_usd"),
        "source": reader.first(DEALS_MART, "source_name", "source"),
        "url": reader.first(DEALS_MART, "source_url"),
    }
    selects = ", ".join(
        f"{column}::varchar as {alias}" if column else f"null::varchar as {alias}"
        for alias, column in optional.items()
    )
    order = f"{optional['status_date']} desc nulls last, " if optional["status_date"] else ""
    deals = reader.frame(
        f"select deal_id, title, status, {selects} from {DEALS_MART} order by {order}deal_id"
    )
    rows: list[tuple[str, ...]] = []
    links: dict[tuple[int, int], str] = {}
    for index, row in enumerate(deals.iter_rows(named=True)):
        value = _usd_bn(float(row["value"])) if row["value"] else "not disclosed"
        rows.append(
            (
                _text(row["title"]),
                _text(row["status"]),
                _text(row["status_date"]),
                value,
                _text(row["source"]),
            )
        )
        if row["url"]:
            links[(index, 4)] = row["url"]
    headers = ("deal", "status", "as of", "disclosed value", "source")
    return Table("The register", headers, rows, links)


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


def _deals_vintage(reader: MartReader) -> str:
    edition = reader.latest_vintage("deals")
    if edition:
        return f"register edition {edition}"
    loaded = reader.last_loaded("deals")
    return f"register as loaded {loaded}" if loaded else "register as built"


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
            (PROGRESS, ("as_of_month", "total_trade_t12m_usd", "goal_usd", "vintage")),
            (SCENARIOS, ("as_of_month", "target_year", "required_annual_growth_pct")),
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
        title="Announced deals: the pipeline by status",
        intro=(
            "How many announced deals are at each status, and the sum of the values they "
            "disclose. Announced value is not trade, and disclosed values mix bases (list "
            "prices, contract totals, annual targets): read the register for each one."
        ),
        needs=(PIPELINE,),
        required=(),  # the count column has several names: deals_pipeline checks it
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
            (DEALS_MART, ("deal_id", "title", "status")),
        ),
        fill=deals_timeline,
    ),
)


# --- helpers ---------------------------------------------------------------------------


def _build_date(build: BuildInfo) -> date:
    try:
        return date.fromisoformat(build.built_at[:10])
    except ValueError:
        return date.today()


def _first_missing(*checks: Missing | None) -> Missing | None:
    return next((check for check in checks if check is not None), None)


def _vintage_spans(frame: pl.DataFrame, month_column: str) -> str:
    spans = (
        frame.group_by("vintage")
        .agg(pl.col(month_column).min().alias("first"), pl.col(month_column).max().alias("last"))
        .sort("first")
    )
    return "; ".join(
        f"{row['vintage']} (months {row['first']:%Y-%m} to {row['last']:%Y-%m})"
        for row in spans.iter_rows(named=True)
    )


def _in_order(frame: pl.DataFrame, column: str, order: tuple[str, ...]) -> pl.DataFrame:
    rank = {value: index for index, value in enumerate(order)}
    position = pl.col(column).replace_strict(rank, default=len(order), return_dtype=pl.Int64)
    return frame.with_columns(position.alias("_rank")).sort("_rank", column).drop("_rank")


def _usd_bn(value: float | None) -> str:
    if value is None:
        return "not disclosed"
    if abs(value) >= 1e9:
        return f"${value / 1e9:,.1f} billion"
    return f"${value / 1e6:,.1f} million"


def _pct(value: float | None, *, digits: int = 1, none: str = "n/a") -> str:
    return none if value is None else f"{value:.{digits}f} %"


def _number(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.0f}"


def _text(value: object) -> str:
    return "" if value is None else str(value)
