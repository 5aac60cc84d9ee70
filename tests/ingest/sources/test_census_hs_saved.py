"""Saved Census API answers (`census-hs --file`): JSON or CSV, gzipped or not, one parser."""

from __future__ import annotations

import gzip
import json
from functools import cache
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from ingest.cli import app
from ingest.errors import ParseError
from ingest.settings import Settings
from ingest.sources.base import bundled_path
from ingest.sources.census_hs import CENSUS_HS
from ingest.sources.census_hs.saved import (
    BUNDLED,
    BUNDLED_ANSWERS,
    COUNTRY_TOTALS,
    HS_BY_COUNTRY,
    answer_payload,
)
from tests.raw_tables import loads_and_rows

EXPORTS, IMPORTS, IMPORTS_HS2 = BUNDLED_ANSWERS
ANSWER = [
    ["CTY_CODE", "CTY_NAME", "ALL_VAL_MO", "YEAR", "MONTH"],
    ["-", "TOTAL FOR ALL COUNTRIES", "170000000000", "2024", "03"],
    ["4890", "TURKEY", "1234567890", "2024", "03"],
    ["0003", "EUROPEAN UNION", "30000000000", "2024", "03"],
]
runner = CliRunner()


@cache
def bundled(name: str) -> pl.DataFrame:
    (frame,) = parsed(bundled_path(BUNDLED, name)).values()
    return frame


def parsed(path: Path, vintage: str | None = None) -> dict[str, pl.DataFrame]:
    payload = answer_payload(path, vintage)
    parse = payload.parser()
    assert parse is not None
    result = parse(path.read_bytes(), path.name)
    assert isinstance(result, dict)
    return result


def as_csv(rows: list[list[str]]) -> bytes:
    return "".join(",".join(row) + "\r\n" for row in rows).encode()


def test_json_csv_and_gzipped_answers_give_the_same_rows(tmp_path: Path) -> None:
    forms = {
        "answer.json": json.dumps(ANSWER).encode(),
        "answer.csv": as_csv(ANSWER),
        "answer.csv.gz": gzip.compress(as_csv(ANSWER)),
    }
    frames = []
    for name, content in forms.items():
        (tmp_path / name).write_bytes(content)
        frame = parsed(tmp_path / name, "2024-04-05")[COUNTRY_TOTALS.name]
        frames.append(frame.drop("source_file"))
    assert frames[0].equals(frames[1]) and frames[0].equals(frames[2])
    assert frames[0].filter(pl.col("cty_code") == "4890").row(0) == (
        "2024-04-05", "export", "2024-03", "4890", "TURKEY", 1234567890, None,
    )  # fmt: skip


def test_the_vintage_comes_from_the_option_else_the_sidecar_else_it_is_refused(
    tmp_path: Path,
) -> None:
    answer = tmp_path / "answer.json"
    answer.write_text(json.dumps(ANSWER))
    with pytest.raises(ParseError, match="pass --vintage YYYY-MM-DD"):
        parsed(answer)
    with pytest.raises(ParseError, match="--vintage: '2024-13-01' is not a retrieval date"):
        parsed(answer, "2024-13-01")
    (tmp_path / "answer.json.json").write_text(json.dumps({"fetched_at": "2024-04-05T10:00:00"}))
    assert parsed(answer)[COUNTRY_TOTALS.name]["vintage"].unique().to_list() == ["2024-04-05"]
    assert parsed(answer, "2024-05-01")[COUNTRY_TOTALS.name]["vintage"][0] == "2024-05-01"


def test_bundled_answers_hold_every_partner_and_turkey_matches_the_published_sums() -> None:
    exports, imports, hs2 = bundled(EXPORTS), bundled(IMPORTS), bundled(IMPORTS_HS2)
    assert (exports.height, imports.height, hs2.height) == (36283, 36277, 285711)
    assert exports.columns == list(COUNTRY_TOTALS.schema) and hs2.columns == list(
        HS_BY_COUNTRY.schema
    )
    assert {"-", "0001", "0003", "4890"} <= set(imports["cty_code"])

    def turkey(frame: pl.DataFrame, year: str, column: str) -> int:
        rows = frame.filter(pl.col("cty_code") == "4890", pl.col("month").str.starts_with(year))
        return rows[column].sum()

    # PROVENANCE_more.md: Turkey's HS2 sums equal its country totals, $15,430.2M and $16,750.0M
    assert turkey(hs2, "2023", "gen_val_mo") == turkey(imports, "2023", "gen_val_mo")
    assert round(turkey(hs2, "2023", "gen_val_mo") / 1e5) == 154302
    assert round(turkey(hs2, "2024", "gen_val_mo") / 1e5) == 167500
    assert round(turkey(exports, "2024", "all_val_mo") / 1e5) == 153757
    assert set(hs2["comm_lvl"]) == {"HS2"} and set(hs2["vintage"]) == {"2025-09-28"}
    assert set(exports["vintage"]) == {"2025-10-18"}


def test_offline_datasets_are_told_apart_by_the_header() -> None:
    datasets = [payload.dataset.name for payload in CENSUS_HS.offline()]
    assert datasets == ["country_totals", "country_totals", "hs_by_country"]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        pytest.param(
            [["CTY_CODE", "CTY_NAME", "YEAR", "MONTH"]],
            "expected exactly one of ALL_VAL_MO",
            id="no-value",
        ),
        pytest.param(
            [ANSWER[0], ["4890", "TURKEY", "1,234", "2024", "03"]],
            "row 1, ALL_VAL_MO: '1,234' is not a whole number",
            id="value",
        ),
        pytest.param(
            [ANSWER[0], ["4890", "TURKEY", "1234", "2024", "13"]],
            r"row 1, time: '2024-13' is not a month",
            id="month",
        ),
        pytest.param([ANSWER[0], ["4890", "TURKEY"]], "row 1: expected an array of 5", id="ragged"),
    ],
)
def test_malformed_answers_name_file_row_and_field(
    tmp_path: Path, rows: list[list[str]], message: str
) -> None:
    answer = tmp_path / "answer.json"
    answer.write_text(json.dumps(rows))
    with pytest.raises(ParseError, match=message):
        parsed(answer, "2024-04-05")


def test_a_malformed_answer_exits_1_in_one_line_archived_and_nothing_changes(
    settings: Settings, tmp_path: Path
) -> None:
    good = tmp_path / "good.json"
    good.write_text(json.dumps(ANSWER))
    loaded = runner.invoke(
        app, ["ingest", "census-hs", "--file", str(good), "--vintage", "2024-04-05"]
    )
    assert loaded.exit_code == 0, loaded.output
    before = loads_and_rows(settings, COUNTRY_TOTALS.name)
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps([*ANSWER, ["4890", "TURKEY", "12.5", "2024", "04"]]))

    result = runner.invoke(
        app, ["ingest", "census-hs", "--file", str(broken), "--vintage", "2024-05-05"]
    )

    assert result.exit_code == 1
    assert "broken.json, row 4, ALL_VAL_MO: '12.5' is not a whole number" in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    loads, rows = loads_and_rows(settings, COUNTRY_TOTALS.name)
    assert loads == [*before[0], ("country_totals", "failed")]
    assert rows == before[1] == 3
    archived = list((settings.landing_dir / "census-hs").rglob("*broken.json"))
    assert [path.read_bytes() for path in archived] == [broken.read_bytes()]


def test_vintage_without_a_file_is_refused(settings: Settings) -> None:
    result = runner.invoke(app, ["ingest", "census-hs", "--vintage", "2024-04-05"])
    assert result.exit_code == 2  # a usage error
    assert "use it with --file" in result.output
