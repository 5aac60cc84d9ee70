"""Which tradewatch sources feed which mart, read from dbt's manifest (its lineage graph).

dbt writes `manifest.json` on every build; walking a mart's `depends_on` back to `source()`
nodes names the raw schemas it reads, and a raw schema `raw_<name>` is the tradewatch source
`<name>` with `-` for `_`. Derived, not declared, so a new mart or source needs no edit here.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import duckdb

from ingest import ledger
from ingest.settings import Settings, dbt_work_dir
from ingest.sources import SOURCES

MART = re.compile(r"\bmarts\s*\.\s*\"?(\w+)\"?", re.I)


def manifest_path(settings: Settings) -> Path:
    return dbt_work_dir(settings) / "target" / "manifest.json"


def read_manifest(settings: Settings) -> dict[str, Any] | None:
    path = manifest_path(settings)
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def mart_sources(manifest: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    """{mart name: tradewatch sources upstream of it}, for every model in the marts schema."""
    nodes: dict[str, Any] = manifest.get("nodes", {})
    found: dict[str, tuple[str, ...]] = {}
    for unique_id, node in nodes.items():
        if node.get("resource_type") == "model" and node.get("schema") == "marts":
            found[node["name"]] = _upstream_sources(unique_id, nodes)
    return found


def _upstream_sources(unique_id: str, nodes: dict[str, Any]) -> tuple[str, ...]:
    seen: set[str] = set()
    pending = [unique_id]
    sources: set[str] = set()
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        if current.startswith("source."):
            name = current.split(".")[2].replace("_", "-")  # source.<project>.<source>.<table>
            if name in SOURCES:
                sources.add(name)
            continue
        pending.extend(nodes.get(current, {}).get("depends_on", {}).get("nodes", []))
    return tuple(name for name in SOURCES if name in sources)  # in build order


def is_live_only(source: str) -> bool:
    """A source with nothing bundled: only `ingest <source> --live` (or --file) fills it."""
    return next(iter(SOURCES[source].offline()), None) is None


def fill_command(source: str) -> str:
    if is_live_only(source):
        return f"tradewatch ingest {source} --live"
    return "tradewatch build"


def empty_result_hint(settings: Settings, sql: str, database: str) -> str | None:
    """For a query on a mart fed by a source this warehouse never loaded: which source and
    the command that fills it. None when every source upstream has loaded."""
    marts = list(dict.fromkeys(match.lower() for match in MART.findall(sql)))
    manifest = read_manifest(settings) if marts else None
    if manifest is None:
        return None
    upstream = mart_sources(manifest)
    wanted = [source for mart in marts for source in upstream.get(mart, ())]
    if not wanted:
        return None
    loaded = _loaded_sources(database)
    missing = [source for source in dict.fromkeys(wanted) if source not in loaded]
    if not missing:
        return None
    shown = " and ".join(
        f"marts.{mart}" for mart in marts if set(upstream.get(mart, ())) & set(missing)
    )
    commands = list(dict.fromkeys(fill_command(source) for source in missing))
    if any(command != "tradewatch build" for command in commands):
        commands.append("tradewatch transform")
    run = ", then ".join(f"`{command}`" for command in commands)
    return (
        f"0 rows; {shown} takes rows from {' and '.join(missing)}, which this warehouse "
        f"has not loaded: run {run}"
    )


def _loaded_sources(database: str) -> set[str]:
    """Sources with a successful load in this database (none when it cannot be read)."""
    try:
        with duckdb.connect(database, read_only=True) as con:
            return ledger.loaded_sources(con)
    except duckdb.Error:
        return set()
