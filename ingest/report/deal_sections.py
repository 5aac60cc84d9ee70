"""The deals sections: the U.S.–Turkey pipeline by status and every deal's status timeline."""

from __future__ import annotations

import polars as pl

from ingest.report import deal_charts
from ingest.report.content import (
    STATUS_ORDER,
    Section,
    Table,
    build_date,
    built,
    in_order,
    text,
    total,
    usd_bn,
)
from ingest.report.marts import BuildInfo, MartReader, Missing

DEALS = "tradewatch deals register (announcements with their cited sources)"
DEALS_MART = "marts.deals"
PIPELINE = "marts.deals_pipeline"
HISTORY = "marts.deal_status_history"
US_TURKEY = "TUR-USA"  # deals_pipeline.country_pair of U.S.–Turkey deals
DEALS_COLUMNS = (
    "deal_id",
    "title",
    "status",
    "status_date",
    "country_a_iso3",
    "country_b_iso3",
    "value_usd",
    "value_basis",
    "is_value_estimate",
    "source_name",
    "source_url",
)
PAIR_SQL = (  # as deals_pipeline pairs them: alphabetical, one code for unilateral items
    "coalesce(case when country_b_iso3 is null then country_a_iso3 "
    "else least(country_a_iso3, country_b_iso3) || '-' || greatest(country_a_iso3, "
    "country_b_iso3) end, 'no country')"
)


def deals_pipeline(section: Section, reader: MartReader, build: BuildInfo) -> Missing | None:
    pipeline = reader.frame(
        f"select status, sum(deal_count)::bigint as deals, "
        f"sum(disclosed_value_usd)::double as value_usd, "
        f"sum(estimated_value_usd)::double as estimated_usd "
        f"from {PIPELINE} where country_pair = ? group by status",
        [US_TURKEY],
    )
    if pipeline.is_empty():
        return Missing((PIPELINE,), f"{PIPELINE} has no U.S.–Turkey ({US_TURKEY}) deals")
    pipeline = in_order(pipeline, "status", STATUS_ORDER)
    others = reader.frame(
        f"select country_pair, sum(deal_count)::bigint as deals from {PIPELINE} "
        f"where country_pair != ? group by country_pair order by country_pair",
        [US_TURKEY],
    )
    section.figure = deal_charts.pipeline(pipeline, title="U.S.–Turkey deals by current status")
    section.caption = (
        f"{pipeline_summary(pipeline, others)} "
        f"Source: {DEALS}. Vintage: {_deals_vintage(reader)}. {built(build)}"
    )
    section.tables.append(
        Table(
            "U.S.–Turkey deals by status",
            ("status", "deals", "disclosed value", "of which estimates"),
            [
                (
                    row["status"],
                    str(row["deals"]),
                    usd_bn(row["value_usd"]),
                    usd_bn(row["estimated_usd"], none="none"),
                )
                for row in pipeline.iter_rows(named=True)
            ],
        )
    )
    return None


def pipeline_summary(pipeline: pl.DataFrame, others: pl.DataFrame) -> str:
    """What the pipeline chart sums, in the numbers the chart and table show."""
    value = total(pipeline["value_usd"])
    estimated = total(pipeline["estimated_usd"])
    excluded = ", ".join(f"{pair} {deals}" for pair, deals in others.iter_rows())
    return (
        f"U.S.–Turkey deals only (country pair {US_TURKEY}): {pipeline['deals'].sum()} deals, "
        f"{usd_bn(value)} of stated one-off values disclosed, {usd_bn(estimated, none='none')}"
        f" of it estimates; yearly values are counted, never summed, and the $100 billion goal "
        f"is not a deal (marts.trade_goals). Not shown: {others['deals'].sum()} deals of other "
        f"country pairs ({excluded or 'none'})."
    )


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
    section.figure = deal_charts.timeline(history, STATUS_ORDER, today=build_date(build))
    pairs = reader.frame(
        f"select {PAIR_SQL} as country_pair, count(*) as deals from {DEALS_MART} "
        f"where deal_id in (select deal_id from {HISTORY}) "
        f"group by 1 order by country_pair != '{US_TURKEY}', country_pair"
    )
    shown = ", ".join(f"{pair} {deals}" for pair, deals in pairs.iter_rows())
    section.caption = (
        f"All {pairs['deals'].sum()} deals of the register, by country pair: {shown} "
        f"(goals such as the $100 billion goal are in marts.trade_goals). "
        f"Source: {DEALS}. Vintage: {_deals_vintage(reader)}. {built(build)}"
    )
    section.tables.append(_deals_table(reader))
    return None


def _deals_table(reader: MartReader) -> Table:
    deals = reader.frame(
        f"select title, status, status_date::varchar as status_date, value_usd::double as value,"
        f" value_basis, is_value_estimate, source_name, source_url, {PAIR_SQL} as country_pair "
        f"from {DEALS_MART} order by status_date desc nulls last, deal_id"
    )
    rows: list[tuple[str, ...]] = []
    links: dict[tuple[int, int], str] = {}
    for index, row in enumerate(deals.iter_rows(named=True)):
        rows.append(
            (
                text(row["title"]),
                text(row["country_pair"]),
                text(row["status"]),
                text(row["status_date"]),
                _deal_value(row),
                text(row["source_name"]),
            )
        )
        if row["source_url"]:
            links[(index, 5)] = row["source_url"]
    headers = ("deal", "countries", "status", "as of", "disclosed value (basis)", "source")
    return Table("The register", headers, rows, links)


def _deal_value(row: dict[str, object]) -> str:
    value = row["value"]
    if not isinstance(value, float):
        return "not disclosed"
    basis = str(row["value_basis"] or "basis not stated")
    estimate = ", estimate" if row["is_value_estimate"] else ""
    return f"{usd_bn(value)} ({basis}{estimate})"


def _deals_vintage(reader: MartReader) -> str:
    edition = reader.latest_vintage("deals")
    if edition:
        return f"register edition {edition}"
    loaded = reader.last_loaded("deals")
    return f"register as loaded {loaded}" if loaded else "register as built"
