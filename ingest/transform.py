"""dbt, run in-process against the warehouse named by the settings."""

from __future__ import annotations

import os
from dataclasses import dataclass

from ingest.errors import TradewatchError
from ingest.settings import DBT_PROJECT_DIR, Settings


class TransformFailed(TradewatchError):
    """dbt build failed: a model error (a bug) or a data test (a data-quality failure)."""


@dataclass(frozen=True)
class DbtOutcome:
    success: bool
    passed: int
    failed: int
    failures: tuple[str, ...]


def dbt_environment(settings: Settings) -> None:
    # dbt reads the warehouse path from the profile's env_var; usage tracking stays off
    os.environ["TRADEWATCH_DB"] = str(settings.db_path)
    os.environ["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    os.environ["DO_NOT_TRACK"] = "1"


def run_dbt(settings: Settings, *args: str) -> DbtOutcome:
    dbt_environment(settings)
    from dbt.cli.main import dbtRunner

    work_dir = settings.db_path.parent / "dbt"
    options = {
        "--project-dir": DBT_PROJECT_DIR,
        "--profiles-dir": DBT_PROJECT_DIR,
        "--target-path": work_dir / "target",
        "--log-path": work_dir / "logs",
    }
    flags = [part for option, value in options.items() for part in (option, str(value))]
    result = dbtRunner().invoke([*args, *flags, "--quiet"])
    _close_dbt_connections()
    return _outcome(result)


def build_models(settings: Settings) -> DbtOutcome:
    outcome = run_dbt(settings, "build")
    if not outcome.success:
        shown = "; ".join(outcome.failures[:5])
        raise TransformFailed(f"dbt build: {outcome.failed} node(s) failed: {shown}")
    return outcome


def _outcome(result: object) -> DbtOutcome:
    node_results = list(getattr(getattr(result, "result", None), "results", None) or [])
    failures = tuple(
        f"{item.node.name}: {' '.join(str(item.message).split())[:300]}"
        for item in node_results
        if str(item.status) in {"error", "fail", "runtime error"}
    )
    success = bool(getattr(result, "success", False))
    if not success and not failures and getattr(result, "exception", None):
        failures = (str(result.exception),)  # type: ignore[attr-defined]
    return DbtOutcome(success, len(node_results) - len(failures), len(failures), failures)


def _close_dbt_connections() -> None:
    """dbt-duckdb can keep its connection (and so the file lock) after an in-process run."""
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager

        DuckDBConnectionManager.close_all_connections()
    except (ImportError, AttributeError):  # pragma: no cover - older adapter versions
        pass
