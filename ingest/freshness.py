"""Source freshness: `dbt source freshness`, summarised from its sources.json artifact.

dbt compares each source table's newest `loaded_at` with the `freshness` thresholds in the
`_<source>__sources.yml` files. The run writes its artifacts to a folder of its own so the
build's run_results.json, which `publish` reads, is left alone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ingest import warehouse
from ingest.errors import TradewatchError
from ingest.settings import Settings, dbt_work_dir
from ingest.transform import run_dbt

FRESHNESS_TARGET = "target-freshness"


@dataclass(frozen=True)
class SourceFreshness:
    source: str
    table: str
    status: str  # pass | warn | error | runtime error
    max_loaded_at: str | None
    age_hours: float | None
    warn_after: str | None
    error_after: str | None
    message: str | None = None


def source_freshness(settings: Settings) -> list[SourceFreshness]:
    if not warehouse.exists(settings.db_path):
        raise TradewatchError(f"{settings.db_path}: no warehouse yet; run `tradewatch build`")
    artifact = dbt_work_dir(settings) / FRESHNESS_TARGET / "sources.json"
    artifact.unlink(missing_ok=True)
    outcome = run_dbt(settings, "source", "freshness", target=FRESHNESS_TARGET)
    if not artifact.exists():
        shown = "; ".join(outcome.failures[:3]) or "no sources.json written"
        raise TradewatchError(f"dbt source freshness did not run: {shown}")
    return summarise(json.loads(artifact.read_text(encoding="utf-8")))


def summarise(artifact: dict[str, Any]) -> list[SourceFreshness]:
    rows = [_row(result) for result in artifact.get("results", [])]
    return sorted(rows, key=lambda row: (row.source, row.table))


def _row(result: dict[str, Any]) -> SourceFreshness:
    # unique_id: source.<project>.<source>.<table>
    parts = str(result.get("unique_id", "")).split(".", 3)
    source, table = (parts[2], parts[3]) if len(parts) == 4 else ("?", str(result.get("unique_id")))
    criteria = result.get("criteria") or {}
    age_s = result.get("max_loaded_at_time_ago_in_s")
    return SourceFreshness(
        source=source,
        table=table,
        status=str(result.get("status")),
        max_loaded_at=result.get("max_loaded_at"),
        age_hours=None if age_s is None else round(float(age_s) / 3600, 1),
        warn_after=_threshold(criteria.get("warn_after")),
        error_after=_threshold(criteria.get("error_after")),
        message=result.get("error") or result.get("message"),
    )


def _threshold(value: dict[str, Any] | None) -> str | None:
    if not value or value.get("count") is None:
        return None
    return f"{value['count']} {value.get('period')}"
