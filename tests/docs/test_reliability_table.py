"""docs/reliability.md names a test for every guarantee: each named test must exist, so the
table cannot drift from the suite."""

from __future__ import annotations

import re

from ingest.settings import PROJECT_ROOT

DOC = PROJECT_ROOT / "docs" / "reliability.md"
# `T/test_x.py::test_name[...]` or `tests/.../test_x.py::test_name` inside backticks
REFERENCE = re.compile(r"`((?:T/|tests/)[\w/]+\.py)::(\w+)")


def test_every_test_the_reliability_table_names_exists() -> None:
    references = REFERENCE.findall(DOC.read_text())
    assert len(references) > 50
    missing = []
    for path, name in references:
        source = PROJECT_ROOT / path.replace("T/", "tests/reliability/", 1)
        if not source.exists() or not re.search(rf"^def {name}\(", source.read_text(), re.M):
            missing.append(f"{path}::{name}")
    assert missing == []
