"""The lake target's settings and SQL helpers (no PostgreSQL needed; tests/lake has the rest)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from ingest import lake, serving
from ingest.cli import app
from ingest.ledger import OPS_DDL
from ingest.settings import Settings

CATALOG = "postgres:dbname=lake host=127.0.0.1 user=tradewatch"


def test_the_default_target_is_the_embedded_file() -> None:
    assert lake.from_env({}) is None
    assert Settings.from_env({}).target == "local"


def test_the_lake_target_reads_its_catalog_and_data_path() -> None:
    env = {
        "TRADEWATCH_TARGET": "lake",
        "TRADEWATCH_LAKE_CATALOG": CATALOG,
        "TRADEWATCH_LAKE_DATA_PATH": "s3://bucket/tradewatch/",
        "TRADEWATCH_LAKE_LOCK_ATTEMPTS": "2",
    }
    target = lake.from_env(env)
    assert target == lake.LakeTarget(CATALOG, "s3://bucket/tradewatch/", lock_attempts=2)
    assert target.postgres_dsn == "dbname=lake host=127.0.0.1 user=tradewatch"
    assert Settings.from_env(env).target == "lake"


def test_a_lake_without_its_settings_is_a_usage_error_naming_them() -> None:
    with pytest.raises(lake.LakeUnavailable, match="TRADEWATCH_LAKE_DATA_PATH") as raised:
        lake.from_env({"TRADEWATCH_TARGET": "lake", "TRADEWATCH_LAKE_CATALOG": CATALOG})
    assert raised.value.exit_code == 2
    with pytest.raises(lake.LakeUnavailable, match="unknown target"):
        lake.from_env({"TRADEWATCH_TARGET": "cloud"})


def test_a_file_catalog_takes_no_table_locks() -> None:
    assert lake.LakeTarget("/srv/lake/metadata.ducklake", "/srv/lake/data/").postgres_dsn is None


def test_the_lake_ledger_keeps_not_null_and_drops_what_ducklake_lacks() -> None:
    ddl = lake.lake_ddl(OPS_DDL)
    assert "primary key" not in ddl
    assert "check" not in ddl
    assert "status varchar not null," in ddl
    assert ddl.count("create table if not exists") == OPS_DDL.count("create table if not exists")


def test_the_catalog_password_is_never_shown() -> None:
    shown = lake._shown("postgres:dbname=lake password=s3cret host=db")
    assert "s3cret" not in shown
    assert "REDACTED" in shown


@pytest.mark.parametrize(
    ("duckdb_type", "expected"),
    [
        ("BIGINT", "bigint"),
        ("DECIMAL(18,3)", "numeric(18, 3)"),
        ("TIMESTAMP WITH TIME ZONE", "timestamptz"),
        ("VARCHAR[]", "text[]"),
        ("DOUBLE", "double precision"),
        ("STRUCT(a INTEGER)", None),
    ],
)
def test_serving_types(duckdb_type: str, expected: str | None) -> None:
    assert serving.postgres_type(duckdb_type) == expected


def test_the_target_flag_is_on_every_command_that_writes() -> None:
    for command in ("build", "ingest", "transform", "run", "publish"):
        result = CliRunner().invoke(app, [command, "--help"])
        assert "--target" in result.output, command
    assert "--postgres" in CliRunner().invoke(app, ["publish", "--help"]).output


def test_the_lake_target_outside_the_lake_environment_names_the_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import importlib

    def no_wheel(name: str) -> object:
        raise ImportError(name)

    monkeypatch.setattr(importlib, "import_module", no_wheel)
    with pytest.raises(lake.LakeUnavailable, match="make lake-install"):
        lake.extension_file("ducklake")
