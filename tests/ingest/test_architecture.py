"""The package's shape rules from docs/architecture.md, checked on every module of `ingest/`:
modules a reader can hold in their head, functions readable at once, and imports at the top
except where a slow import is deferred on purpose and says so."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from ingest.sources import SOURCES
from ingest.sources.base import SourceRequest

PACKAGE = Path(__file__).resolve().parents[2] / "ingest"
MODULES = sorted(PACKAGE.rglob("*.py"))
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 50


def _functions(tree: ast.Module) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    return [
        node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    ]


def _commented(lines: list[str], first: int, last: int) -> bool:
    """A comment on the lines from `first` to `last` (1-based, inclusive)."""
    return any("#" in line for line in lines[max(first, 1) - 1 : last])


def _start(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    return min([node.lineno, *(decorator.lineno for decorator in node.decorator_list)])


def test_every_module_is_found() -> None:
    assert len(MODULES) > 50
    assert PACKAGE / "ledger" / "__init__.py" in MODULES


@pytest.mark.parametrize("path", MODULES, ids=lambda path: str(path.relative_to(PACKAGE)))
def test_module_is_short(path: Path) -> None:
    lines = path.read_text().splitlines()
    assert len(lines) <= MAX_MODULE_LINES, f"{path.name}: {len(lines)} lines"


@pytest.mark.parametrize("path", MODULES, ids=lambda path: str(path.relative_to(PACKAGE)))
def test_long_functions_say_why(path: Path) -> None:
    lines = path.read_text().splitlines()
    unexplained = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for node in _functions(ast.parse("\n".join(lines)))
        if node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
        and not _commented(lines, _start(node) - 2, _start(node) - 1)
    ]
    assert not unexplained, f"{path.name}: no comment above {unexplained}"


@pytest.mark.parametrize("path", MODULES, ids=lambda path: str(path.relative_to(PACKAGE)))
def test_imports_inside_functions_say_why(path: Path) -> None:
    lines = path.read_text().splitlines()
    silent = [
        f"line {inner.lineno}: {lines[inner.lineno - 1].strip()}"
        for node in _functions(ast.parse("\n".join(lines)))
        for inner in ast.walk(node)
        if isinstance(inner, ast.Import | ast.ImportFrom)
        and not _commented(lines, inner.lineno - 2, inner.lineno)
    ]
    assert not silent, f"{path.name}: deferred imports without a reason: {silent}"


def test_the_rules_can_fail(tmp_path: Path) -> None:
    """The checks above see what they look for: an uncommented inner import and a long
    function without a reason are both caught."""
    source = "def f():\n    import json\n    return json\n" + "def g():\n" + "    x = 1\n" * 60
    lines = source.splitlines()
    tree = ast.parse(source)
    functions = _functions(tree)
    inner = [n for f in functions for n in ast.walk(f) if isinstance(n, ast.Import)]
    assert inner and not _commented(lines, inner[0].lineno - 2, inner[0].lineno)
    long = [f for f in functions if f.end_lineno and f.end_lineno - f.lineno + 1 > 50]
    assert [f.name for f in long] == ["g"]
    assert not _commented(lines, _start(long[0]) - 2, _start(long[0]) - 1)


def test_every_offline_payload_carries_a_dataset_as_its_source_declares_it() -> None:
    """A run's options (a product filter, a retrieval date) are bound on the payload
    (`Payload.parse`/`stage`), never by rewriting the declared Dataset at run time."""
    requests = (SourceRequest(), SourceRequest(all_products=True))
    for source in SOURCES.values():
        for request in requests if "all_products" in source.file_request else requests[:1]:
            for payload in source.offline(request):
                assert any(payload.dataset is declared for declared in source.datasets), (
                    f"{source.name}: {payload.dataset.name} is not one of its declared datasets"
                )
