"""Which builds run the dbt unit tests: the first successful build of each version of the
dbt project in a warehouse; later builds of the same version leave them out."""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb

from ingest import ledger
from ingest.settings import Settings
from ingest.transform import unit_test_flags

LEAVE_OUT = ("--exclude-resource-type", "unit_test")


def _record(settings: Settings, fingerprint: str, *, success: bool) -> None:
    ledger.record_dbt_run(
        settings.db_path,
        started_at=datetime.now(UTC),
        success=success,
        passed=1,
        failed=0 if success else 1,
        project_sha256=fingerprint,
    )


def test_unit_tests_run_until_this_project_passed_a_build(settings: Settings) -> None:
    settings.db_path.parent.mkdir(parents=True)
    ledger.create(settings.db_path)
    assert unit_test_flags(settings, "v2") == ()  # no build yet

    _record(settings, "v2", success=False)
    assert unit_test_flags(settings, "v2") == ()  # a failed build does not count

    _record(settings, "v1", success=True)
    assert unit_test_flags(settings, "v2") == ()  # another version of the project passed

    _record(settings, "v2", success=True)
    assert unit_test_flags(settings, "v2") == LEAVE_OUT
    assert unit_test_flags(settings, "v3") == ()  # an edited project runs them again


def test_a_warehouse_without_a_ledger_runs_them(settings: Settings) -> None:
    settings.db_path.parent.mkdir(parents=True)
    duckdb.connect(str(settings.db_path)).close()
    assert unit_test_flags(settings, "v1") == ()
