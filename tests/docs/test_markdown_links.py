"""Every relative link and image in every tracked Markdown file resolves, as it would on the
repository page: a path relative to the file that names it, inside the repository, and an
`#anchor` that names a heading of the target file."""

from __future__ import annotations

import re
import subprocess
import unicodedata
from pathlib import Path
from urllib.parse import unquote

import pytest

from ingest.settings import PROJECT_ROOT

FENCE = re.compile(r"^(```|~~~).*?^\1\s*$", re.S | re.M)
CODE_SPAN = re.compile(r"`[^`\n]*`")
# [text](target "title") and ![alt](target); the text may hold one level of brackets
INLINE = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.M)
HTML = re.compile(r"<(?:img|a)\b[^>]*?\b(?:src|href)=\"([^\"]+)\"", re.I)
EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.I)


def tracked_markdown() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--", "*.md"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return sorted(PROJECT_ROOT / name for name in listed.split("\0") if name)


def link_targets(markdown: str) -> list[str]:
    """Link and image targets outside code blocks and code spans."""
    prose = CODE_SPAN.sub("", FENCE.sub("", markdown))
    return [
        target
        for pattern in (INLINE, REFERENCE, HTML)
        for target in pattern.findall(prose)
        if not EXTERNAL.match(target)
    ]


def heading_anchors(markdown: str) -> set[str]:
    """GitHub's heading ids: lower case, punctuation dropped, spaces to hyphens."""
    anchors = set()
    for heading in re.findall(r"^#{1,6}\s+(.+?)\s*#*\s*$", FENCE.sub("", markdown), re.M):
        text = re.sub(r"[`*_]|\[([^\]]*)\]\([^)]*\)", r"\1", heading).lower()
        kept = "".join(
            char for char in text if char in " -" or unicodedata.category(char)[0] in "LNM"
        )
        anchors.add(kept.replace(" ", "-"))
    return anchors


def broken_links(path: Path) -> list[str]:
    markdown = path.read_text(encoding="utf-8")
    broken = []
    for target in link_targets(markdown):
        file_part, _, anchor = unquote(target).partition("#")
        resolved = (path.parent / file_part.split("?")[0]).resolve() if file_part else path
        if not resolved.is_relative_to(PROJECT_ROOT) or not resolved.exists():
            broken.append(f"{target}: no such file")
        elif anchor and resolved.suffix == ".md" and not _has_heading(resolved, anchor):
            broken.append(f"{target}: no heading #{anchor} in {resolved.name}")
    return broken


def _has_heading(path: Path, anchor: str) -> bool:
    return anchor.lower() in heading_anchors(path.read_text(encoding="utf-8"))


def test_the_markdown_files_are_found() -> None:
    names = {path.relative_to(PROJECT_ROOT).as_posix() for path in tracked_markdown()}
    assert {"README.md", "docs/bi.md", "docs/reliability.md", "deploy/README.md"} <= names


def test_the_parser_finds_links_images_and_references_and_skips_code() -> None:
    markdown = (
        'See [a](docs/a.md#x) and ![chart](img/c.png "title") and <img src="i.png">.\n'
        "[ref]: notes/b.md\n`[not](code.md)`\n```\n[nor](fenced.md)\n```\n"
        "[web](https://example.org) [top](#top)\n"
    )
    assert sorted(link_targets(markdown)) == sorted(
        ["docs/a.md#x", "img/c.png", "i.png", "notes/b.md", "#top"]
    )
    assert heading_anchors("# Top\n## Ask the warehouse\n### `tradewatch status`: exits\n") == {
        "top",
        "ask-the-warehouse",
        "tradewatch-status-exits",
    }


def test_a_path_copied_from_docs_is_reported(tmp_path: Path) -> None:
    readme = PROJECT_ROOT / "README.md"
    copied = readme.read_text(encoding="utf-8") + "\n![chart](img/trade-goal.png)\n"
    probe = PROJECT_ROOT / f".probe-{tmp_path.name}.md"
    probe.write_text(copied, encoding="utf-8")
    try:
        assert broken_links(probe) == ["img/trade-goal.png: no such file"]
    finally:
        probe.unlink()


@pytest.mark.parametrize(
    "path", tracked_markdown(), ids=lambda path: path.relative_to(PROJECT_ROOT).as_posix()
)
def test_every_relative_link_and_image_resolves(path: Path) -> None:
    assert broken_links(path) == []
