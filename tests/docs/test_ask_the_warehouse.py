"""The README's "Ask the warehouse" section shows real output: rerun every query."""

from __future__ import annotations

import re

import pytest

from ingest.access import run_query
from ingest.settings import PROJECT_ROOT, Settings

README = PROJECT_ROOT / "README.md"
EXAMPLE = re.compile(r'```sh\n\.venv/bin/tradewatch query "(.+?)"\n```\n\n```\n(.+?)\n```', re.S)


def _section() -> str:
    text = README.read_text(encoding="utf-8")
    return text.split("\n## Ask the warehouse\n", 1)[1].split("\n## ", 1)[0]


def _examples() -> list[tuple[str, list[list[str]]]]:
    examples = []
    for sql, table in EXAMPLE.findall(_section()):
        rows = [
            [cell.strip() for cell in line.strip("│").split("│")]
            for line in table.splitlines()
            if line.startswith("│")
        ]
        examples.append((sql, rows))
    return examples


def test_the_doc_has_five_examples_and_the_chart() -> None:
    assert len(_examples()) >= 5  # other sections may add questions
    assert "](docs/img/trade-goal.png)" in _section()
    assert (PROJECT_ROOT / "docs" / "img" / "trade-goal.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize(("sql", "rows"), _examples(), ids=lambda value: str(value)[:40])
def test_example_output_is_what_the_offline_build_returns(
    built_warehouse: Settings, sql: str, rows: list[list[str]]
) -> None:
    frame = run_query(built_warehouse, sql)
    shown = [["" if value is None else str(value) for value in row] for row in frame.iter_rows()]
    assert shown == rows
