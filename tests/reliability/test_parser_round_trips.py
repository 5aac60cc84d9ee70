"""Valid generated input, in each publisher's exact layout, round-trips through the real
parser with every value unchanged: text stays text (unicode, commas and quotes included),
codes keep their leading zeros, numbers are the numbers written, and an empty cell is null."""

from __future__ import annotations

import csv
import io
from datetime import date

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.codes import COUNTRY_COLUMNS
from ingest.deals_register import bundle
from ingest.deals_register.files import DEAL_COLUMNS, EVENT_COLUMNS, LINK_COLUMNS
from ingest.deals_register.rules import (
    DEAL_TYPES,
    FLOWS,
    GOAL_BASIS,
    GOAL_TYPE,
    SECTORS,
    STATUSES,
    VALUE_BASES,
)
from ingest.sources import baci, beylikova, deals, reference, turkstat
from ingest.sources.base import bundled_path
from ingest.sources.usgs_mcs import release

AWKWARD = [",", '"', "'", ", ", "Türkiye", "İzmir", "Eskişehir", "中国", "Côte", "—", "NA", "é"]
words = st.text(st.characters(categories=("L", "N", "P", "S")), min_size=1, max_size=8)


def text(*, newlines: bool = False) -> st.SearchStrategy[str]:
    """Non-empty text without surrounding spaces (every parser strips them)."""
    parts = st.sampled_from([*AWKWARD, " ", *(["\n"] if newlines else [])]) | words
    return st.lists(parts, min_size=1, max_size=5).map(lambda p: "".join(p).strip()).filter(bool)


def optional(strategy: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.just("") | strategy


def blank_or(strategy: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """For parsers that strip cells: a cell of spaces is as empty as an empty one."""
    return st.sampled_from(["", " ", "   "]) | strategy


decimals = st.tuples(st.integers(0, 10**12), st.sampled_from(["", ".0", ".5", ".25", ".001"])).map(
    lambda parts: f"{parts[0]}{parts[1]}"
)
urls = st.tuples(st.sampled_from(["http", "https"]), st.from_regex(r"[a-z]{1,8}", fullmatch=True))
urls = urls.map(lambda parts: f"{parts[0]}://{parts[1]}.example.org/a?b=1,2")


def csv_bytes(header: list[str] | tuple[str, ...], rows: list[list[str]], **options: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=options.get("newline", "\n"))
    writer.writerow(header)
    writer.writerows(rows)
    return (options.get("bom", "") + buffer.getvalue()).encode()


def null_if_empty(value: str) -> str | None:
    return value.strip() or None


# --- usgs-mcs: the data-release CSVs (mcsYYYY-raree_salient.csv / _world.csv) ---

# (text as USGS writes it, value, flag, bound): the legend printed in every edition
usgs_numbers = st.integers(0, 10**9).flatmap(
    lambda n: st.sampled_from([(str(n), float(n), None, None), (f"{n:,}", float(n), None, None)])
) | st.tuples(st.integers(0, 10**6), st.sampled_from([".5", ".01", ".125"])).map(
    lambda parts: (f"{parts[0]}{parts[1]}", float(f"{parts[0]}{parts[1]}"), None, None)
)
usgs_cells = st.one_of(
    usgs_numbers,
    st.sampled_from(
        [
            ("", None, None, None),
            ("—", 0.0, "zero", None),
            ("–", 0.0, "zero", None),
            ("W", None, "withheld", None),
            ("NA", None, "not_available", None),
            ("XX", None, "not_applicable", None),
            ("E", None, "net_exporter", None),
            (">95", None, "greater_than", 95.0),
            ("<1", None, "less_than", 1.0),
            ("< 0.5", None, "less_than", 0.5),
        ]
    ),
)
Cell = tuple[str, float | None, str | None, float | None]
SALIENT_COLUMNS = [name for name in release.SALIENT_FIELDS if name not in ("Employment_m",)]
SALIENT_COLUMNS = [name for name in SALIENT_COLUMNS if not name.startswith("NIR_") or "pct" in name]
layouts = st.fixed_dictionaries(
    {"bom": st.sampled_from(["", "\ufeff"]), "newline": st.sampled_from(["\n", "\r\n"])}
)


def assert_cell(record: dict[str, object], cell: Cell, value_column: str) -> None:
    published, value, flag, bound = cell
    assert record[value_column] == value
    assert record["value_as_published"] == (published or None)
    assert (record["value_flag"], record["value_bound"]) == (flag, bound)


@settings(max_examples=30, deadline=None)
@given(
    edition=st.integers(2015, 2030),
    columns=st.lists(st.sampled_from(SALIENT_COLUMNS), min_size=1, max_size=8, unique=True),
    years=st.lists(st.integers(1990, 2014), min_size=1, max_size=5, unique=True),
    data=st.data(),
    layout=layouts,
)
def test_usgs_release_salient_round_trips(
    edition: int, columns: list[str], years: list[int], data: st.DataObject, layout: dict
) -> None:
    cells = {
        year: data.draw(st.lists(usgs_cells, min_size=len(columns), max_size=len(columns)))
        for year in years
    }
    rows = [
        [f"MCS{edition}", "Rare Earths", str(year), *(cell[0] for cell in cells[year])]
        for year in years
    ]
    payload = csv_bytes(["DataSource", "Commodity", "Year", *columns], rows, **layout)
    (frame,) = release.parse_salient(payload, f"mcs{edition}-raree_salient.csv").values()

    got = {(row["year"], row["published_field"]): row for row in frame.to_dicts()}
    assert len(got) == frame.height == len(years) * len(columns)
    for line, year in enumerate(years, start=2):
        for column, cell in zip(columns, cells[year], strict=True):
            record = got[(year, column)]
            assert_cell(record, cell, "value")
            assert (record["edition"], record["source_row"]) == (f"MCS{edition}", line)
            assert (record["metric"], record["unit"]) == release.SALIENT_FIELDS[column]


REO_TYPES = [
    "Mine production, metric tons of rare-earth-oxide (REO) equivalent ",
    "Rare earths, mine production, rare-earth-oxide equivalent, metric tons",
]


@settings(max_examples=30, deadline=None)
@given(
    edition=st.integers(2015, 2030),
    production=st.lists(
        st.tuples(st.integers(1990, 2014), st.booleans()),
        min_size=1,
        max_size=3,
        unique_by=lambda column: column[0],
    ),
    reserves=st.booleans(),
    trailing=st.integers(0, 3),
    data=st.data(),
    layout=layouts,
)
def test_usgs_release_world_round_trips(
    edition: int,
    production: list[tuple[int, bool]],
    reserves: bool,
    trailing: int,
    data: st.DataObject,
    layout: dict,
) -> None:
    prod = [f"Prod_t_{'est_' if est else ''}{year}" for year, est in production]
    extra = ["Prod_notes", "Reserves_t", "Reserves_notes"] if reserves else []
    header = ["Source", "Country", "Type", *prod, *extra, *[""] * trailing]
    countries = data.draw(st.lists(text(), min_size=1, max_size=6))
    rows, expected = [], []
    for country in countries:
        kind = data.draw(st.sampled_from(REO_TYPES))
        cells = data.draw(st.lists(usgs_cells, min_size=len(prod), max_size=len(prod)))
        notes = data.draw(st.tuples(optional(text()), usgs_cells, optional(text())))
        row = [f"MCS{edition}", country, kind, *(cell[0] for cell in cells)]
        if reserves:
            row += [notes[0], notes[1][0], notes[2]]
        rows.append(row + [""] * trailing)
        expected.append((country, kind, cells, notes))
    payload = csv_bytes(header, rows, **layout)
    (frame,) = release.parse_world(payload, f"mcs{edition}-raree_world.csv").values()

    got = {(row["source_row"], row["published_field"]): row for row in frame.to_dicts()}
    assert frame.height == len(countries) * (len(prod) + reserves)
    for line, (country, kind, cells, notes) in enumerate(expected, start=2):
        for column, (year, est), cell in zip(prod, production, cells, strict=True):
            record = got[(line, column)]
            assert_cell(record, cell, "value_t_reo")
            assert (record["country"], record["published_type"]) == (country, kind.strip())
            assert (record["measure"], record["year"], record["is_estimate"]) == (
                "mine_production",
                year,
                est,
            )
            assert record["note"] == (null_if_empty(notes[0]) if reserves else None)
        if reserves:
            record = got[(line, "Reserves_t")]
            assert_cell(record, notes[1], "value_t_reo")
            assert (record["measure"], record["year"], record["note"]) == (
                "reserves",
                None,
                null_if_empty(notes[2]),
            )


# --- beylikova, turkstat: curated CSVs read by polars ---


@settings(max_examples=30, deadline=None)
@given(
    rows=st.lists(
        st.tuples(text(), *[blank_or(text(newlines=True))] * (len(beylikova.COLUMNS) - 1)),
        min_size=1,
        max_size=12,
    )
)
def test_beylikova_facts_round_trip(rows: list[tuple[str, ...]]) -> None:
    payload = csv_bytes(beylikova.COLUMNS, [list(row) for row in rows])
    (frame,) = beylikova.parse_facts(payload, "facts.csv").values()

    assert frame.rows() == [
        (*(null_if_empty(cell) for cell in row), line) for line, row in enumerate(rows, start=2)
    ]


@settings(max_examples=30, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.integers(1950, 2100).map(str),
            optional(decimals),
            optional(decimals),
            optional(urls),
            optional(text(newlines=True)),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_turkstat_press_figures_round_trip(rows: list[tuple[str, ...]]) -> None:
    payload = csv_bytes(turkstat.COLUMNS, [list(row) for row in rows])
    (frame,) = turkstat.parse_press_figures(payload, "press.csv").values()

    assert frame.rows() == [
        (
            turkstat.PRESS_SERIES,
            int(year),
            float(exports) if exports else None,
            float(imports) if imports else None,
            True,
            null_if_empty(url),
            null_if_empty(note),
        )
        for year, exports, imports, url, note in rows
    ]


# --- reference: code lists and the HS nomenclature ---

COUNTRY_HEADER = (
    bundled_path("reference", "country_codes_iso_m49.csv")
    .read_text(encoding="utf-8")
    .split("\n", 1)[0]
    .split(",")
)
codes2 = st.from_regex(r"[A-Z]{2}", fullmatch=True) | st.just("NA")  # NA is Namibia
numeric = st.from_regex(r"[0-9]{3}", fullmatch=True)  # "004", "008"


@settings(max_examples=25, deadline=None)
@given(
    rows=st.lists(
        st.fixed_dictionaries(
            {
                "ISO3166-1-Alpha-3": optional(st.from_regex(r"[A-Z]{3}", fullmatch=True)),
                "ISO3166-1-Alpha-2": codes2,
                "ISO3166-1-numeric": numeric,
                "M49": numeric,
                "CLDR display name": text(),
                "official_name_en": blank_or(text()),
                "Region Name": blank_or(text()),
                "Sub-region Name": blank_or(text()),
                "source_url": urls,
            }
        ),
        min_size=1,
        max_size=10,
    ),
    filler=text(),
)
def test_reference_countries_round_trip(rows: list[dict[str, str]], filler: str) -> None:
    body = [[row.get(column, filler) for column in COUNTRY_HEADER] for row in rows]
    (frame,) = reference.parse_countries(csv_bytes(COUNTRY_HEADER, body), "c.csv").values()

    kept = [row for row in rows if row["ISO3166-1-Alpha-3"]]  # rows without ISO3 are dropped
    assert frame.rows() == [
        tuple(null_if_empty(row[column]) for column in COUNTRY_COLUMNS) for row in kept
    ]


@settings(max_examples=25, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.from_regex(r"[0-9]{4}", fullmatch=True),
            text(),
            blank_or(codes2),
            st.sampled_from(["27JAN21", "01JAN24"]),
            urls,
            optional(urls),
        ),
        min_size=1,
        max_size=10,
    )
)
def test_reference_census_codes_round_trip(rows: list[tuple[str, ...]]) -> None:
    header = [*reference.CENSUS_COLUMNS, "original_url"]
    payload = csv_bytes(header, [list(row) for row in rows])
    (frame,) = reference.parse_census_codes(payload, "census.csv").values()

    assert frame.rows() == [tuple(null_if_empty(cell) for cell in row[:5]) for row in rows]


hs_codes = st.sampled_from([2, 4, 6]).flatmap(
    lambda level: st.tuples(st.from_regex(rf"[0-9]{{{level}}}", fullmatch=True), st.just(level))
)
sections = st.from_regex(r"[IVX]{1,5}", fullmatch=True)


@settings(max_examples=25, deadline=None)
@given(
    rows=st.lists(
        st.tuples(sections, hs_codes, text(), st.from_regex(r"TOTAL|[0-9]{2,4}", fullmatch=True)),
        min_size=1,
        max_size=15,
    ),
    names=st.lists(st.tuples(sections, text(newlines=True)), min_size=1, max_size=6),
    url=urls,
)
def test_reference_hs_nomenclature_round_trips(
    rows: list[tuple[str, tuple[str, int], str, str]],
    names: list[tuple[str, str]],
    url: str,
) -> None:
    body = [
        [section, code, text, parent, str(level), url]
        for section, (code, level), text, parent in rows
    ]
    payload = csv_bytes(list(reference.HS_CODE_COLUMNS), body)
    (codes,) = reference.parse_hs_codes(payload, "hs.csv").values()
    assert codes.rows() == [
        (reference.HS_NOMENCLATURE, section, code, text, parent, level, url)
        for section, (code, level), text, parent in rows
    ]

    payload = csv_bytes(list(reference.HS_SECTION_COLUMNS), [[*name, url] for name in names])
    (frame,) = reference.parse_hs_sections(payload, "sections.csv").values()
    assert frame.rows() == [
        (reference.HS_NOMENCLATURE, section, name, url) for section, name in names
    ]


# --- baci: the release country table and the atlas extracts (parsed by polars) ---


@settings(max_examples=25, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.from_regex(r"[0-9]{1,3}", fullmatch=True),
            text(),
            blank_or(st.from_regex(r"[A-Z]{2}", fullmatch=True)),
            st.from_regex(r"[A-Z0-9]{3}", fullmatch=True),
        ),
        min_size=1,
        max_size=10,
    ),
    old_header=st.booleans(),
)
def test_baci_country_table_round_trips(rows: list[tuple[str, ...]], old_header: bool) -> None:
    header = (
        ["country_code", "country_name_abbreviation", "iso_2digit_alpha", "iso_3digit_alpha"]
        if old_header
        else list(baci.COUNTRY_COLUMNS)
    )
    payload = csv_bytes(header, [list(row) for row in rows])
    (frame,) = baci.parse_country_codes(payload, "country_codes_V202301.csv").values()

    assert frame.rows() == [("V202301", *(null_if_empty(cell) for cell in row)) for row in rows]


iso3 = st.from_regex(r"[A-Z]{3}", fullmatch=True)
hs6 = st.from_regex(r"[0-9]{6}", fullmatch=True)


@settings(max_examples=25, deadline=None)
@given(
    year=st.integers(1995, 2030),
    rows=st.lists(st.tuples(iso3, iso3, hs6, decimals), min_size=1, max_size=15),
)
def test_baci_atlas_extract_round_trips(year: int, rows: list[tuple[str, ...]]) -> None:
    payload = csv_bytes(["i", "j", "cmd", "value"], [list(row) for row in rows])
    (frame,) = baci.parse_atlas_flows(payload, f"baci_{year}.csv", codes=None).values()

    assert frame.rows() == [
        (baci.ATLAS_VINTAGE, baci.ATLAS_HS_REVISION, year, i, j, cmd, float(value))
        for i, j, cmd, value in rows
    ]


maybe_float = st.none() | st.floats(0, 1e15, allow_nan=False, allow_subnormal=False)


@settings(max_examples=25, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.integers(1995, 2030),
            iso3,
            text(),
            iso3,
            text(),
            hs6,
            optional(text()),
            maybe_float,
            maybe_float,
        ),
        min_size=1,
        max_size=10,
    )
)
def test_baci_atlas_trade_parquet_round_trips(rows: list[tuple]) -> None:
    columns = [name for name in baci.ATLAS_TRADE.schema if name not in ("vintage", "hs_revision")]
    written = pl.DataFrame(
        [[*row[:6], null_if_empty(row[6]), *row[7:]] for row in rows],
        schema={name: baci.ATLAS_TRADE.schema[name] for name in columns},
        orient="row",
    )
    buffer = io.BytesIO()
    written.write_parquet(buffer)
    (frame,) = baci.parse_atlas_trade(buffer.getvalue(), "trade.parquet", codes=None).values()

    assert frame.drop("vintage", "hs_revision").rows() == written.rows()
    assert set(frame["vintage"]) == {baci.ATLAS_VINTAGE}


@settings(max_examples=25, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            hs6,
            st.integers(1995, 2030),
            st.sampled_from(["HS02", "HS17"]),
            st.sampled_from(["world_total", "top_exporter", "top_importer"]),
            optional(st.from_regex(r"[A-Z]{2}", fullmatch=True) | st.just("NA")),
            text(),
            optional(st.integers(0, 10**15).map(str)),
            optional(decimals),
            optional(decimals),
            optional(decimals),
            optional(text(newlines=True)),
            urls,
        ),
        min_size=1,
        max_size=10,
    ),
    vintage=st.from_regex(r"V20[0-9]{4}", fullmatch=True),
)
def test_baci_atlas_summary_round_trips(rows: list[tuple[str, ...]], vintage: str) -> None:
    header = [name for name in baci.ATLAS_SUMMARY.schema if name != "vintage"]
    body = [[f"BACI {vintage}", *row] for row in rows]
    (frame,) = baci.parse_atlas_summary(csv_bytes(header, body), "summary.csv", codes=None).values()

    def number(text: str, kind: type) -> object:
        return kind(text) if text else None

    assert frame.rows() == [
        (
            vintage,
            f"BACI {vintage}",
            hs,
            year,
            hs_vintage,
            role,
            null_if_empty(iso2),
            name,
            number(value, int),
            number(tonnes, float),
            number(share, float),
            number(china, float),
            null_if_empty(note),
            url,
        )
        for hs, year, hs_vintage, role, iso2, name, value, tonnes, share, china, note, url in rows
    ]


# --- deals: the register's three CSVs → the `deals` source's raw tables ---

ISO3 = ["TUR", "USA", "CHN", "NAM", "AFG"]
free_text = text().filter(lambda value: not value.startswith(("=", "+", "-", "@")))
slugs = st.from_regex(r"[a-z0-9]{1,6}(-[a-z0-9]{1,6}){0,3}", fullmatch=True)
days = st.dates(date(1990, 1, 1), date(2035, 12, 31))
partial_dates = st.tuples(days, st.sampled_from(["day", "month", "year"])).map(
    lambda parts: parts[0].isoformat()[: {"day": 10, "month": 7, "year": 4}[parts[1]]]
)


@st.composite
def registers(draw: st.DrawFn) -> tuple[list[dict], list[dict], list[dict]]:
    ids = sorted(draw(st.lists(slugs, min_size=1, max_size=5, unique=True)))
    deals_rows, events, links = [], [], []
    for deal_id in ids:
        # distinct first days, so the latest event (the deal's status) is unambiguous
        when = draw(st.lists(days, max_size=3, unique=True))
        dated = sorted((day, day.isoformat()) for day in when)
        for _, written in dated:
            events.append(
                {
                    "deal_id": deal_id,
                    "event_date": written,
                    "status": draw(st.sampled_from(STATUSES)),
                    "note": draw(free_text),
                    "source_url": draw(urls),
                }
            )
        status = events[-1]["status"] if dated else draw(st.sampled_from(STATUSES))
        valued = draw(st.booleans())
        deal_type = draw(st.sampled_from(DEAL_TYPES))
        # a goal's basis (annual_target) only on a goal: the register's rule
        bases = VALUE_BASES if deal_type == GOAL_TYPE else tuple(set(VALUE_BASES) - {GOAL_BASIS})
        deals_rows.append(
            {
                "deal_id": deal_id,
                "announced_on": draw(partial_dates),
                "title": draw(free_text),
                "parties": draw(free_text),
                "country_a": draw(st.sampled_from(ISO3)),
                "country_b": draw(optional(st.sampled_from(ISO3))),
                "sector": draw(st.sampled_from(SECTORS)),
                "commodity": draw(free_text),
                "deal_type": deal_type,
                "value_usd": str(draw(st.integers(0, 10**15))) if valued else "",
                "value_note": draw(free_text if valued else optional(free_text)),
                "is_value_estimate": draw(st.sampled_from(["true", "false"])) if valued else "",
                "value_basis": draw(st.sampled_from(sorted(bases))) if valued else "",
                "status": status,
                "status_as_of": draw(partial_dates),
                "source_name": draw(free_text),
                "source_url": draw(urls),
            }
        )
        codes = sorted(
            draw(
                st.lists(st.from_regex(r"([0-9]{2}){1,5}", fullmatch=True), max_size=3, unique=True)
            )
        )
        for code in codes:
            window = sorted(draw(st.lists(partial_dates, min_size=2, max_size=2)), key=_first_day)
            keep = draw(st.sampled_from(["none", "from", "to", "both"]))
            links.append(
                {
                    "deal_id": deal_id,
                    "hs_code": code,
                    "hs_description": draw(free_text),
                    "flow": draw(st.sampled_from(FLOWS)),
                    "expected_from": window[0] if keep in ("from", "both") else "",
                    "expected_to": window[1] if keep in ("to", "both") else "",
                    "note": draw(optional(free_text)),
                    "source_url": draw(urls),
                }
            )
    return deals_rows, events, links


def _first_day(text: str) -> date:
    return date.fromisoformat(text + "-01" * ((10 - len(text)) // 3))


def _precision(text: str) -> str:
    return {10: "day", 7: "month", 4: "year"}[len(text)]


def _dated(text: str, target: str) -> dict[str, object]:
    return {
        target: _first_day(text) if text else None,
        f"{target}_precision": _precision(text) if text else None,
    }


@settings(max_examples=25, deadline=None)
@given(register=registers())
def test_deals_register_round_trips_into_the_raw_tables(
    register: tuple[list[dict], list[dict], list[dict]],
) -> None:
    deal_rows, event_rows, link_rows = register
    files = {
        "deals.csv": csv_bytes(DEAL_COLUMNS, [[row[c] for c in DEAL_COLUMNS] for row in deal_rows]),
        "deal_events.csv": csv_bytes(
            EVENT_COLUMNS, [[row[c] for c in EVENT_COLUMNS] for row in event_rows]
        ),
        "deal_trade_links.csv": csv_bytes(
            LINK_COLUMNS, [[row[c] for c in LINK_COLUMNS] for row in link_rows]
        ),
    }
    frames = deals.parse_register(bundle(files), "deals_register.zip")

    got_deals = frames[deals.DEALS.name].drop("edition").to_dicts()
    assert got_deals == [
        {column: null_if_empty(value) for column, value in row.items()}
        | {
            "value_usd": int(row["value_usd"]) if row["value_usd"] else None,
            "is_value_estimate": (row["is_value_estimate"] == "true")
            if row["is_value_estimate"]
            else None,
        }
        | _dated(row["announced_on"], "announced_date")
        | _dated(row["status_as_of"], "status_as_of_date")
        for row in deal_rows
    ]
    seq: dict[str, int] = {}
    expected_events = []
    for row in event_rows:
        seq[row["deal_id"]] = seq.get(row["deal_id"], 0) + 1
        expected_events.append(
            {
                "deal_id": row["deal_id"],
                "event_seq": seq[row["deal_id"]],
                "event_date_text": row["event_date"],
                "status": row["status"],
                "note": row["note"],
                "source_url": row["source_url"],
            }
            | _dated(row["event_date"], "event_date")
        )
    assert frames[deals.DEAL_EVENTS.name].drop("edition").to_dicts() == expected_events
    assert frames[deals.DEAL_TRADE_LINKS.name].drop("edition").to_dicts() == [
        {column: null_if_empty(value) for column, value in row.items()}
        | _dated(row["expected_from"], "expected_from_date")
        | _dated(row["expected_to"], "expected_to_date")
        for row in link_rows
    ]
