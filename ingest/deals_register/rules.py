"""Every rule a version of the register must pass, checked together and reported together.

A version is valid only as a whole: an event must name a deal of the same version, and a
deal's status must be the status of its latest event.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from ingest.codes import iso3_codes
from ingest.csvlimits import check_rows
from ingest.deals_register.files import (
    COLUMNS,
    DEALS_FILE,
    EVENTS_FILE,
    FILE_NAMES,
    LINKS_FILE,
    Record,
    sort_key,
)
from ingest.deals_register.problems import Problem, RegisterInvalid
from ingest.errors import ParseError

STATUSES = ("announced", "talks", "signed", "in_progress", "operational", "stalled", "cancelled")
DEAL_TYPES = ("target", "mou", "agreement", "order", "talks", "investment", "facility", "policy")
SECTORS = ("aviation", "defence", "energy", "mining", "trade")
VALUE_BASES = (
    "annual_target", "list_price", "total_contract", "per_year", "approval_estimate",
    "seed_capital", "project_pipeline", "equity_investment", "project_cost",
    "first_phase_investment",
)  # fmt: skip
GOAL_TYPE, GOAL_BASIS = "target", "annual_target"  # goals and targets: not deals
FLOWS = ("export", "import")  # U.S. exports to, or U.S. imports from, the partner
BOOLEANS = ("true", "false")
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
HS_CODE = re.compile(r"(?:\d{2}){1,5}")  # HS chapter (2) to U.S. 10-digit, digits only
ISO_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
DATE_HELP = (
    "is not an ISO date (YYYY-MM-DD, or YYYY-MM / YYYY when only the month or year is known)"
)

Check = Callable[[str], str | None]  # a message when the value breaks the rule


@dataclass(frozen=True)
class PartialDate:
    """A date as written, the first day it can mean (for ordering) and its precision."""

    text: str
    first_day: date
    precision: str  # day | month | year


@dataclass(frozen=True)
class Register:
    deals: tuple[Record, ...]
    events: tuple[Record, ...]
    links: tuple[Record, ...]


def parse_partial_date(text: str) -> PartialDate | None:
    match = ISO_DATE.fullmatch(text)
    if match is None:
        return None
    year, month, day = match.groups()
    try:
        first_day = date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return None
    precision = "day" if day else "month" if month else "year"
    return PartialDate(text, first_day, precision)


def load(files: Mapping[str, bytes], origin: str) -> Register:
    """The register, or RegisterInvalid listing every problem."""
    register, problems = check(files)
    if problems:
        raise RegisterInvalid(origin, problems)
    return register


def check(
    files: Mapping[str, bytes], countries: frozenset[str] | None = None
) -> tuple[Register, list[Problem]]:
    problems: list[Problem] = []
    records = {name: _records(name, files.get(name), problems) for name in FILE_NAMES}
    deals, events, links = records[DEALS_FILE], records[EVENTS_FILE], records[LINKS_FILE]
    rules = field_rules(countries if countries is not None else iso3_codes())
    for name, rows in records.items():
        for record in rows:
            problems.extend(_field_problems(name, record, rules[name]))
        _check_sorted(name, rows, problems)
    _check_unique(DEALS_FILE, deals, ("deal_id",), problems)
    _check_unique(EVENTS_FILE, events, ("deal_id", "event_date", "status"), problems)
    _check_unique(LINKS_FILE, links, ("deal_id", "hs_code"), problems)
    known = {deal["deal_id"] for deal in deals}
    for name in (EVENTS_FILE, LINKS_FILE):
        _check_known_deals(name, records[name], known, problems)
    for deal in deals:
        problems.extend(_value_problems(deal))
    for link in links:
        problems.extend(_window_problems(link))
    _check_latest_status(deals, events, problems)
    problems.sort(key=lambda p: (FILE_NAMES.index(p.file), p.row or 0, p.field or ""))
    return Register(tuple(deals), tuple(events), tuple(links)), problems


def field_rules(countries: frozenset[str]) -> dict[str, dict[str, tuple[bool, Check | None]]]:
    """Per file and column: (required, check of a non-empty value)."""
    url = (True, _url)
    return {
        DEALS_FILE: {
            "deal_id": (True, _slug), "announced_on": (True, _date), "title": (True, None),
            "parties": (True, None), "country_a": (True, _iso3(countries)),
            "country_b": (False, _iso3(countries)), "sector": (True, _one_of(SECTORS)),
            "commodity": (True, None), "deal_type": (True, _one_of(DEAL_TYPES)),
            "value_usd": (False, _amount), "value_note": (False, None),
            "is_value_estimate": (False, _one_of(BOOLEANS)),
            "value_basis": (False, _one_of(VALUE_BASES)), "status": (True, _one_of(STATUSES)),
            "status_as_of": (True, _date), "source_name": (True, None), "source_url": url,
        },
        EVENTS_FILE: {
            "deal_id": (True, None), "event_date": (True, _date),
            "status": (True, _one_of(STATUSES)), "note": (True, None), "source_url": url,
        },
        LINKS_FILE: {
            "deal_id": (True, None), "hs_code": (True, _hs_code), "hs_description": (True, None),
            "flow": (True, _one_of(FLOWS)), "expected_from": (False, _date),
            "expected_to": (False, _date), "note": (False, None), "source_url": url,
        },
    }  # fmt: skip


def _records(name: str, content: bytes | None, problems: list[Problem]) -> list[Record]:
    if content is None:
        problems.append(Problem(name, None, None, None, "missing from the register"))
        return []
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        problems.append(Problem(name, None, None, None, f"is not UTF-8 text ({error})"))
        return []
    try:
        check_rows(content, name)
    except ParseError as error:
        problems.append(Problem(name, None, None, None, str(error).removeprefix(f"{name}, ")))
        return []
    reader = csv.reader(io.StringIO(text, newline=""))
    columns = COLUMNS[name]
    records: list[Record] = []
    try:
        header = next(reader, [])
        if tuple(header) != columns:
            message = f"the header must be {','.join(columns)}; found {','.join(header)}"
            problems.append(Problem(name, 1, None, None, message))
            return []
        line = reader.line_num + 1
        for fields in reader:
            start, line = line, reader.line_num + 1
            if not fields:
                continue  # a blank line
            if len(fields) != len(columns):
                message = f"has {len(fields)} fields; the header has {len(columns)}"
                problems.append(Problem(name, start, fields[0] or None, None, message))
                continue
            records.append(Record(start, dict(zip(columns, fields, strict=True))))
    except csv.Error as error:
        problems.append(Problem(name, reader.line_num, None, None, f"is not valid CSV: {error}"))
    return records


def _field_problems(
    name: str, record: Record, rules: dict[str, tuple[bool, Check | None]]
) -> list[Problem]:
    found = []
    deal_id = record["deal_id"] or None
    for column, (required, rule) in rules.items():
        value = record[column]
        message: str | None
        if value != value.strip():
            message = f"{value!r} has leading or trailing spaces"
        elif not value:
            message = "is required" if required else None
        else:
            message = rule(value) if rule else _free_text(value)
        if message:
            found.append(Problem(name, record.line, deal_id, column, message))
    return found


# a spreadsheet opening the register or an export runs a cell starting with these as a formula
FORMULA_STARTS = ("=", "+", "-", "@")


def _free_text(value: str) -> str | None:
    if value.startswith(FORMULA_STARTS):
        return (
            f"{value[:40]!r} starts with {value[0]!r}, which a spreadsheet runs as a formula; "
            "reword it"
        )
    return None


def _check_sorted(name: str, records: Sequence[Record], problems: list[Problem]) -> None:
    for previous, record in itertools.pairwise(records):
        if sort_key(name, record.values) < sort_key(name, previous.values):
            order = {
                DEALS_FILE: "deal_id",
                EVENTS_FILE: "deal_id, then event_date",
                LINKS_FILE: "deal_id, then hs_code",
            }[name]
            message = (
                f"out of order: rows are sorted by {order} (`tradewatch deals format` sorts them)"
            )
            problems.append(Problem(name, record.line, record["deal_id"] or None, None, message))
            return  # one is enough: every later row may be out of place because of it


def _check_unique(
    name: str, records: Sequence[Record], key: tuple[str, ...], problems: list[Problem]
) -> None:
    seen: dict[tuple[str, ...], int] = {}
    for record in records:
        value = tuple(record[column] for column in key)
        if value in seen:
            message = f"duplicates row {seen[value]} ({', '.join(key)} must be unique)"
            problems.append(Problem(name, record.line, record["deal_id"] or None, key[-1], message))
        else:
            seen[value] = record.line


def _check_known_deals(
    name: str, records: Sequence[Record], known: set[str], problems: list[Problem]
) -> None:
    for record in records:
        if record["deal_id"] and record["deal_id"] not in known:
            message = f"no deal {record['deal_id']!r} in {DEALS_FILE}"
            problems.append(Problem(name, record.line, record["deal_id"], "deal_id", message))


def _value_problems(deal: Record) -> list[Problem]:
    """A stated value carries its caveats; without a value there is nothing to qualify."""

    def problem(column: str, message: str) -> Problem:
        return Problem(DEALS_FILE, deal.line, deal["deal_id"] or None, column, message)

    if deal["value_usd"]:
        found = [
            problem(column, "is required when value_usd is given")
            for column in ("is_value_estimate", "value_basis", "value_note")
            if not deal[column]
        ]
        if deal["value_basis"] == GOAL_BASIS and deal["deal_type"] != GOAL_TYPE:
            message = (
                f"{GOAL_BASIS!r} is a goal's basis: a goal or per-year target is deal_type "
                f"{GOAL_TYPE!r} (marts.trade_goals), never a deal"
            )
            found.append(problem("value_basis", message))
        return found
    return [
        problem(column, "must be empty when value_usd is empty")
        for column in ("is_value_estimate", "value_basis")
        if deal[column]
    ]


def _window_problems(link: Record) -> list[Problem]:
    start = parse_partial_date(link["expected_from"])
    end = parse_partial_date(link["expected_to"])
    if start and end and end.first_day < start.first_day:
        message = f"{end.text} is before expected_from {start.text}"
        return [Problem(LINKS_FILE, link.line, link["deal_id"], "expected_to", message)]
    return []


def _check_latest_status(
    deals: Sequence[Record], events: Sequence[Record], problems: list[Problem]
) -> None:
    """Latest by date (a month counts as its first day); on the same date, the later row."""
    latest: dict[str, tuple[date, int, Record]] = {}
    unreadable: set[str] = set()
    for event in events:
        when = parse_partial_date(event["event_date"])
        if when is None or event["status"] not in STATUSES:
            unreadable.add(event["deal_id"])  # already reported; the order is unknown
            continue
        candidate = (when.first_day, event.line, event)
        current = latest.get(event["deal_id"])
        if current is None or candidate[:2] > current[:2]:
            latest[event["deal_id"]] = candidate
    for deal in deals:
        found = latest.get(deal["deal_id"])
        if found is None or deal["deal_id"] in unreadable or deal["status"] not in STATUSES:
            continue
        event = found[2]
        if event["status"] != deal["status"]:
            message = (
                f"{deal['status']!r} is not the status of its latest event "
                f"({EVENTS_FILE} row {event.line}, {event['event_date']}: "
                f"{event['status']!r})"
            )
            problems.append(Problem(DEALS_FILE, deal.line, deal["deal_id"], "status", message))


def _one_of(values: tuple[str, ...]) -> Check:
    return lambda value: None if value in values else f"{value!r} is not one of {', '.join(values)}"


def _slug(value: str) -> str | None:
    if SLUG.fullmatch(value):
        return None
    return f"{value!r} is not slug-shaped (lowercase letters and digits joined by single hyphens)"


# a register date outside these years is a typo (9999-12-31, 0001-01-01), not a deal
FIRST_YEAR, YEARS_AHEAD = 1900, 50


def _date(value: str) -> str | None:
    parsed = parse_partial_date(value)
    if parsed is None:
        return f"{value!r} {DATE_HELP}"
    last_year = date.today().year + YEARS_AHEAD
    if not FIRST_YEAR <= parsed.first_day.year <= last_year:
        return f"{value!r} is outside {FIRST_YEAR}..{last_year}"
    return None


def _amount(value: str) -> str | None:
    if value.isascii() and value.isdigit():
        return None
    if value.startswith("-") and value[1:].isdigit():
        return f"{value} is negative; a value must be ≥ 0 (or empty when none is stated)"
    return f"{value!r} is not a whole number of U.S. dollars (digits only, no separators)"


def _url(value: str) -> str | None:
    parts = urlsplit(value)
    if parts.scheme in ("http", "https") and parts.netloc and not any(c.isspace() for c in value):
        return None
    return f"{value!r} is not an http(s) URL"


def _iso3(countries: frozenset[str]) -> Check:
    def check(value: str) -> str | None:
        return None if value in countries else f"{value!r} is not an ISO 3166 alpha-3 code"

    return check


def _hs_code(value: str) -> str | None:
    if HS_CODE.fullmatch(value):
        return None
    return f"{value!r} is not an HS code (2, 4, 6, 8 or 10 digits, no dots)"
