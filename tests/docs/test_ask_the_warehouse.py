"""docs/ask_the_warehouse.md (the README's section) shows real output: rerun every query.
The README's copy of the section must show the same examples."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ingest.access import run_query
from ingest.settings import PROJECT_ROOT, Settings

DOC = PROJECT_ROOT / "docs" / "ask_the_warehouse.md"
EXAMPLE = re.compile(r'```sh\ntradewatch query "(.+?)"\n```\n\n```\n(.+?)\n```', re.S)


README = PROJECT_ROOT / "README.md"


def _examples(doc: Path = DOC) -> list[tuple[str, list[list[str]]]]:
    examples = []
    for sql, table in EXAMPLE.findall(doc.read_text(encoding="utf-8")):
        rows = [
            [cell.strip() for cell in line.strip("│").split("│")]
            for line in table.splitlines()
            if line.startswith("│")
        ]
        examples.append((sql, rows))
    return examples


def test_the_doc_has_seven_examples_and_the_chart() -> None:
    assert len(_examples()) == 7
    assert "](img/trade-goal.png)" in DOC.read_text(encoding="utf-8")
    assert (DOC.parent / "img" / "trade-goal.png").read_bytes()[:4] == b"\x89PNG"


def test_the_readme_shows_the_same_examples() -> None:
    section = README.read_text(encoding="utf-8").split("## Ask the warehouse", 1)[1]
    assert EXAMPLE.findall(section.split("\n## ", 1)[0]) == EXAMPLE.findall(
        DOC.read_text(encoding="utf-8")
    )


@pytest.mark.parametrize(("sql", "rows"), _examples(), ids=lambda value: str(value)[:40])
def test_example_output_is_what_the_offline_build_returns(
    built_warehouse: Settings, sql: str, rows: list[list[str]]
) -> None:
    frame = run_query(built_warehouse, sql)
    shown = [["" if value is None else str(value) for value in row] for row in frame.iter_rows()]
    assert shown == rows
