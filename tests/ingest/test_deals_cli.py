from __future__ import annotations

import shlex
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from ingest.cli import app
from ingest.console import console
from ingest.deals_register import bundle, check, read_folder
from ingest.deals_register.files import DEALS_FILE, EVENTS_FILE, FILE_NAMES
from ingest.settings import DEFAULT_DEALS_DIR
from tests.ingest.deals_register.cases import (
    BAD_FIELD_PARAMS,
    BadField,
    apply,
    copy_register,
    read_rows,
    write_rows,
)

runner = CliRunner()
MAX = "tr-us-thy-boeing737max-2025"  # latest event: talks on 2025-11-05
# the options `deals add` requires beside --id, --announced-on, --country-a and --source-url
REQUIRED = (
    "--title t --parties p --sector energy --commodity c --type mou --status announced "
    "--source-name s"
)


@pytest.fixture
def register(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the bundled register that `tradewatch deals` edits (TRADEWATCH_DEALS_DIR)."""
    folder = copy_register(tmp_path / "deals")
    monkeypatch.setenv("TRADEWATCH_DEALS_DIR", str(folder))
    monkeypatch.setattr(console, "width", 250)  # whole deal ids in tables
    return folder


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in FILE_NAMES}


def _deal(folder: Path, deal_id: str) -> dict[str, str]:
    return next(row for row in read_rows(folder, DEALS_FILE) if row["deal_id"] == deal_id)


def _deals(command: str) -> Result:
    """`tradewatch deals <command>`, the command split as a shell would split it."""
    return runner.invoke(app, ["deals", *shlex.split(command)])


def test_validate_accepts_the_bundled_register() -> None:
    result = runner.invoke(app, ["deals", "validate", str(DEFAULT_DEALS_DIR)])
    assert result.exit_code == 0, result.output
    assert "38 deals, 87 events, 10 trade links" in result.output


def test_validate_reads_the_configured_folder_or_a_zip(register: Path, tmp_path: Path) -> None:
    archive = tmp_path / "register.zip"
    archive.write_bytes(bundle(read_folder(register)))
    assert runner.invoke(app, ["deals", "validate"]).exit_code == 0
    assert runner.invoke(app, ["deals", "validate", str(archive)]).exit_code == 0


@pytest.mark.parametrize("case", BAD_FIELD_PARAMS)
def test_validate_lists_the_problem_and_exits_1(case: BadField, register: Path) -> None:
    apply(case, register)

    result = runner.invoke(app, ["deals", "validate", str(register)])

    assert result.exit_code == 1
    assert "1 problem(s)" in result.output
    assert f"{case.file}, row" in result.output
    assert f"deal {case.deal_id}, field {case.field}:" in result.output


def test_list_filters_by_status_and_country(register: Path) -> None:
    result = runner.invoke(app, ["deals", "list", "--status", "talks", "--country", "tur"])
    assert result.exit_code == 0, result.output
    listed = {line.split("│")[1].strip() for line in result.output.splitlines() if "│" in line}
    assert listed == {MAX, "tr-us-beylikova-ree-talks-2025", "tr-us-f35-caatsa-talks"}


def test_list_shows_each_value_beside_its_basis(register: Path) -> None:
    result = runner.invoke(app, ["deals", "list", "--country", "TUR"])
    assert result.exit_code == 0, result.output
    rows = {
        cells[0]: cells[6:8]
        for line in result.output.splitlines()
        if "│" in line and (cells := [cell.strip() for cell in line.split("│")[1:-1]])
    }
    assert rows["tr-us-pegasus-boeing-2024"] == ["36,000,000,000", "list_price"]
    assert rows["tr-us-botas-mercuria-lng-2025"] == ["43,000,000,000", "total_contract, estimate"]
    assert rows["tr-us-trade-100bn-target"] == [
        "100,000,000,000",
        "annual_target (a goal, not a deal)",
    ]
    assert rows["tr-us-civil-nuclear-mou-2025"] == ["", ""]


def test_add_writes_a_valid_deal_in_order(register: Path) -> None:
    result = _deals(
        "add --id tr-us-example-2026 --announced-on 2026-03 --title 'An example deal' "
        "--parties 'A; B' --country-a tur --country-b USA --sector energy --commodity LNG "
        "--type mou --status announced --source-name Example "
        "--source-url https://www.example.org/deal --value-usd 1000000 --estimate "
        "--value-basis total_contract --value-note illustrative"
    )

    assert result.exit_code == 0, result.output
    added = _deal(register, "tr-us-example-2026")
    assert (added["country_a"], added["announced_on"], added["status_as_of"]) == (
        "TUR",
        "2026-03",
        "2026-03",
    )
    assert added["is_value_estimate"] == "true"
    assert check(read_folder(register))[1] == []
    ids = [row["deal_id"] for row in read_rows(register, DEALS_FILE)]
    assert ids == sorted(ids) and len(ids) == 39


def test_add_refuses_an_invalid_deal_and_writes_nothing(register: Path) -> None:
    before = _snapshot(register)
    result = _deals(
        f"add --id tr-us-example-2026 --announced-on 2026-02-30 --country-a TRK {REQUIRED} "
        "--source-url www.example.org"
    )

    assert result.exit_code == 1
    for field in ("announced_on", "country_a", "source_url"):
        assert f"deal tr-us-example-2026, field {field}" in result.output
    assert _snapshot(register) == before


def test_add_refuses_an_existing_id(register: Path) -> None:
    before = _snapshot(register)
    result = _deals(
        f"add --id {MAX} --announced-on 2026-01-01 --country-a TUR {REQUIRED} "
        "--source-url https://www.example.org"
    )
    assert result.exit_code == 1
    assert f"deal {MAX}, field deal_id: duplicates row" in result.output
    assert _snapshot(register) == before


def test_a_new_latest_event_sets_the_deals_status(register: Path) -> None:
    result = _deals(
        f"event {MAX} --status signed --date 2026-03 --source https://www.example.org/order "
        "--note 'Order placed'"
    )

    assert result.exit_code == 0, result.output
    assert "status talks → signed" in result.output
    deal = _deal(register, MAX)
    assert (deal["status"], deal["status_as_of"]) == ("signed", "2026-03")
    events = [row for row in read_rows(register, EVENTS_FILE) if row["deal_id"] == MAX]
    assert [(row["event_date"], row["status"]) for row in events][-2:] == [
        ("2025-11-05", "talks"),
        ("2026-03", "signed"),
    ]
    assert check(read_folder(register))[1] == []


def test_an_earlier_event_leaves_the_current_status(register: Path) -> None:
    before = _deal(register, MAX)
    result = _deals(
        f"event {MAX} --status talks --date 2025-09-01 --source https://www.example.org/early "
        "--note 'Earlier talks reported'"
    )

    assert result.exit_code == 0, result.output
    assert "status stays talks" in result.output
    assert _deal(register, MAX) == before


def test_event_prompts_for_what_is_missing(register: Path) -> None:
    result = runner.invoke(
        app,
        ["deals", "event", MAX, "--status", "stalled"],
        input="2026-01-15\nhttps://www.example.org/p\nTalks paused\n",
    )
    assert result.exit_code == 0, result.output
    assert _deal(register, MAX)["status"] == "stalled"


@pytest.mark.parametrize(
    ("deal_id", "status", "date", "source", "field"),
    [
        pytest.param(
            "no-such-deal", "signed", "2026-01-01", "https://x.org", "deal_id", id="missing-deal"
        ),
        pytest.param(MAX, "finished", "2026-01-01", "https://x.org", "status", id="status"),
        pytest.param(MAX, "signed", "2026-1-1", "https://x.org", "event_date", id="date"),
        pytest.param(MAX, "signed", "2026-01-01", "x.org", "source_url", id="url"),
    ],
)
def test_a_bad_event_is_refused_and_nothing_written(
    register: Path, deal_id: str, status: str, date: str, source: str, field: str
) -> None:
    before = _snapshot(register)
    result = _deals(f"event {deal_id} --status {status} --date {date} --source {source} --note n")
    assert result.exit_code == 1
    assert f"deal {deal_id}, field {field}" in result.output
    assert _snapshot(register) == before


def test_edits_refuse_to_start_from_an_invalid_register(register: Path) -> None:
    deals = read_rows(register, DEALS_FILE)
    deals[0]["status"] = "done"
    write_rows(register, DEALS_FILE, deals)
    before = _snapshot(register)

    result = _deals(
        f"event {MAX} --status signed --date 2026-03 --source https://www.example.org --note n"
    )

    assert result.exit_code == 1 and "field status" in result.output
    assert _snapshot(register) == before


def test_format_sorts_a_hand_edited_register(register: Path) -> None:
    deals = read_rows(register, DEALS_FILE)
    write_rows(register, DEALS_FILE, [deals[-1], *deals[:-1]])
    assert "out of order" in str(check(read_folder(register))[1])

    result = runner.invoke(app, ["deals", "format"])

    assert result.exit_code == 0, result.output
    assert f"rewrote {DEALS_FILE}" in result.output
    assert _snapshot(register) == _snapshot(DEFAULT_DEALS_DIR)
