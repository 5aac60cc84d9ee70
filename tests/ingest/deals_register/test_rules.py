from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ingest.deals_register import check, load, parse_partial_date, read_folder
from ingest.deals_register.files import DEALS_FILE, EVENTS_FILE, LINKS_FILE
from ingest.deals_register.problems import RegisterInvalid
from ingest.settings import DEFAULT_DEALS_DIR
from tests.ingest.deals_register.cases import (
    BAD_FIELD_PARAMS,
    BadField,
    apply,
    copy_register,
    read_rows,
    write_rows,
)


def test_the_bundled_register_passes_every_rule() -> None:
    register, problems = check(read_folder(DEFAULT_DEALS_DIR))
    assert problems == []
    assert (len(register.deals), len(register.events), len(register.links)) == (38, 87, 10)


@pytest.mark.parametrize("case", BAD_FIELD_PARAMS)
def test_one_bad_field_is_one_problem_naming_file_deal_and_field(
    case: BadField, tmp_path: Path
) -> None:
    folder = copy_register(tmp_path / "deals")
    apply(case, folder)

    _, problems = check(read_folder(folder))

    assert [(p.file, p.deal_id, p.field) for p in problems] == [
        (case.file, case.deal_id, case.field)
    ]
    assert problems[0].row is not None and problems[0].row > 1
    shown = str(problems[0])
    assert case.file in shown and f"deal {case.deal_id}" in shown
    assert f"field {case.field}" in shown


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    folder = copy_register(tmp_path / "deals")
    deals = read_rows(folder, DEALS_FILE)
    deals[0]["status"] = "done"
    deals[1]["country_b"] = "XXX"
    deals[2]["source_url"] = "ftp://example.org/file"
    write_rows(folder, DEALS_FILE, deals)

    with pytest.raises(RegisterInvalid) as raised:
        load(read_folder(folder), "copy")

    fields = [(p.row, p.field) for p in raised.value.problems]
    assert fields == [(2, "status"), (3, "country_b"), (4, "source_url")]
    assert str(raised.value).startswith("copy: the deals register has 3 problem(s): ")


@pytest.mark.parametrize(
    ("text", "first_day", "precision"),
    [
        pytest.param("2019-06", date(2019, 6, 1), "month", id="month-only"),
        pytest.param("2025-09-26", date(2025, 9, 26), "day", id="day"),
        pytest.param("2029", date(2029, 1, 1), "year", id="year-only"),
    ],
)
def test_partial_dates_keep_their_precision(text: str, first_day: date, precision: str) -> None:
    parsed = parse_partial_date(text)
    assert parsed is not None
    assert (parsed.text, parsed.first_day, parsed.precision) == (text, first_day, precision)


@pytest.mark.parametrize("text", ["2019-6", "2019-06-31", "06/2019", "2019-06-01T00:00", ""])
def test_other_date_forms_are_refused(text: str) -> None:
    assert parse_partial_date(text) is None


def test_a_month_only_event_orders_as_its_first_day(tmp_path: Path) -> None:
    """THY 737 MAX: stalled in 2025-10, talks on 2025-11-05: talks is the latest."""
    folder = copy_register(tmp_path / "deals")
    events = read_rows(folder, EVENTS_FILE)
    october = next(e for e in events if e["deal_id"] == "tr-us-thy-boeing737max-2025"
                   and e["event_date"] == "2025-10")  # fmt: skip
    assert october["status"] == "stalled"
    deals = read_rows(folder, DEALS_FILE)
    deal = next(d for d in deals if d["deal_id"] == "tr-us-thy-boeing737max-2025")
    assert deal["status"] == "talks"
    deal["status"] = "stalled"
    write_rows(folder, DEALS_FILE, deals)

    _, problems = check(read_folder(folder))

    assert [(p.deal_id, p.field) for p in problems] == [("tr-us-thy-boeing737max-2025", "status")]
    assert "2025-11-05: 'talks'" in problems[0].message


def test_events_may_predate_the_announcement() -> None:
    """The nuclear MoU was announced 2025-09-25; talks were reported on 2024-07-02."""
    register = load(read_folder(DEFAULT_DEALS_DIR), "bundled")
    deal = next(d for d in register.deals if d["deal_id"] == "tr-us-civil-nuclear-mou-2025")
    first = next(e for e in register.events if e["deal_id"] == "tr-us-civil-nuclear-mou-2025")
    assert (first["event_date"], first["status"]) == ("2024-07-02", "talks")
    assert first["event_date"] < deal["announced_on"]


def test_a_deal_without_events_keeps_its_own_status(tmp_path: Path) -> None:
    folder = copy_register(tmp_path / "deals")
    events = [e for e in read_rows(folder, EVENTS_FILE) if e["deal_id"] != "us-kz-tungsten-2025"]
    write_rows(folder, EVENTS_FILE, events)
    assert check(read_folder(folder))[1] == []


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        pytest.param("is_value_estimate", "", "is required when value_usd is given", id="flag"),
        pytest.param("value_basis", "", "is required when value_usd is given", id="basis"),
        pytest.param("value_usd", "36,000,000,000", "not a whole number", id="separators"),
    ],
)
def test_a_stated_value_carries_its_caveats(
    column: str, value: str, message: str, tmp_path: Path
) -> None:
    folder = copy_register(tmp_path / "deals")
    deals = read_rows(folder, DEALS_FILE)
    next(d for d in deals if d["deal_id"] == "tr-us-pegasus-boeing-2024")[column] = value
    write_rows(folder, DEALS_FILE, deals)

    _, problems = check(read_folder(folder))

    assert [(p.field, message in p.message) for p in problems] == [(column, True)]


def test_a_flag_without_a_value_is_refused(tmp_path: Path) -> None:
    folder = copy_register(tmp_path / "deals")
    deals = read_rows(folder, DEALS_FILE)
    next(d for d in deals if d["deal_id"] == "tr-us-civil-nuclear-mou-2025")[
        "is_value_estimate"
    ] = "true"
    write_rows(folder, DEALS_FILE, deals)

    _, problems = check(read_folder(folder))

    assert [(p.deal_id, p.field) for p in problems] == [
        ("tr-us-civil-nuclear-mou-2025", "is_value_estimate")
    ]


def test_an_expected_window_must_not_end_before_it_starts(tmp_path: Path) -> None:
    folder = copy_register(tmp_path / "deals")
    links = read_rows(folder, LINKS_FILE)
    next(row for row in links if row["deal_id"] == "tr-us-thy-boeing787-2025")["expected_to"] = (
        "2028"
    )
    write_rows(folder, LINKS_FILE, links)

    _, problems = check(read_folder(folder))

    assert [(p.file, p.field) for p in problems] == [(LINKS_FILE, "expected_to")]


def test_rows_out_of_order_are_reported_once(tmp_path: Path) -> None:
    folder = copy_register(tmp_path / "deals")
    deals = read_rows(folder, DEALS_FILE)
    write_rows(folder, DEALS_FILE, [deals[-1], *deals[:-1]])

    _, problems = check(read_folder(folder))

    assert len(problems) == 1 and "out of order" in problems[0].message


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        pytest.param(DEALS_FILE, None, "missing from the register", id="missing-file"),
        pytest.param(EVENTS_FILE, b"deal_id,date\n", "the header must be", id="renamed-column"),
        pytest.param(LINKS_FILE, b"\xff\xfe", "is not UTF-8", id="not-utf8"),
    ],
)
def test_unreadable_files_are_named(name: str, content: bytes | None, message: str) -> None:
    files = read_folder(DEFAULT_DEALS_DIR)
    if content is None:
        del files[name]
    else:
        files[name] = content

    _, problems = check(files)

    assert any(p.file == name and message in p.message for p in problems)
