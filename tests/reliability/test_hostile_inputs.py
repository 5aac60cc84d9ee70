"""Hostile and broken input: corrupt files, wrong encodings, formula injection, zip bombs and
SQL that tries to write or escape. Each is refused with the documented error and exit code,
and the warehouse keeps its rows."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ingest import pipeline
from ingest.cli import app
from ingest.errors import ParseError, TradewatchError
from ingest.settings import Settings
from ingest.sources.base import bundled_path
from tests.ingest.deals_register.cases import copy_register, read_rows, write_rows
from tests.ingest.test_loader import ledger, raw_state

WORKBOOK = bundled_path("census_country", "country_xlsx_2023-01.xlsx")
DERIVED_MONTHLY = bundled_path("census_country", "us_turkey_goods_monthly.csv")
BACI_COUNTRIES = bundled_path("baci", "country_codes_V202601.csv")
BACI_HEADER = b"t,i,j,k,v,q\n"
FORMULA = "=cmd|' /C calc'!A0"


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as packed:
        for name, content in members.items():
            packed.writestr(name, content)
    return buffer.getvalue()


def cut(content: bytes) -> bytes:
    return content[: len(content) // 2]


def corrupt_files() -> dict[str, tuple[str, str, bytes]]:
    """name → (source, file name, content)."""
    derived = DERIVED_MONTHLY.read_bytes()
    return {
        "xlsx cut in half": ("census-country", "country.xlsx", cut(WORKBOOK.read_bytes())),
        "xlsx of random bytes": ("census-country", "country.xlsx", bytes(range(256)) * 40),
        "xlsx that is an HTML page": (
            "census-country",
            "country.xlsx",
            b"<!DOCTYPE html><html><body>Access Denied</body></html>",
        ),
        "csv in UTF-16": (
            "census-country",
            "us_turkey_goods_monthly.csv",
            derived.decode().encode("utf-16"),
        ),
        "csv with a non-number value": (
            "census-country",
            "us_turkey_goods_monthly.csv",
            derived.replace(b"\n2024,1,", b"\n2024,1,n/a,", 1),
        ),
        "zip cut in half": (
            "baci",
            "BACI_HS22_V202601.zip",
            cut(
                zipped(
                    {
                        "BACI_HS22_Y2022_V202601.csv": BACI_HEADER + b"2022,792,842,850511,1.0,2\n",
                        "country_codes_V202601.csv": BACI_COUNTRIES.read_bytes(),
                    }
                )
            ),
        ),
        "release zip without a year file": (
            "baci",
            "BACI_HS22_V202601.zip",
            zipped({"country_codes_V202601.csv": BACI_COUNTRIES.read_bytes()}),
        ),
        "baci year file with another header": (
            "baci",
            "BACI_HS22_Y2022_V202601.csv",
            b"year,exporter,importer,product,value,quantity\n2022,792,842,850511,1.0,2\n",
        ),
        "usgs zip without a rare-earth csv": (
            "usgs-mcs",
            "salient.zip",
            zipped({"mcs2024-lithi_salient.csv": b"Source,Year\nMCS2024,2023\n"}),
        ),
    }


@pytest.mark.parametrize("case", list(corrupt_files()))
def test_a_corrupt_file_is_refused_and_the_warehouse_keeps_its_rows(
    case: str, inbox: tuple[Settings, Path]
) -> None:
    settings, folder = inbox
    source, name, content = corrupt_files()[case]
    path = folder / name
    path.write_bytes(content)
    before_rows, before_ledger = raw_state(settings.db_path), ledger(settings.db_path)

    with pytest.raises(TradewatchError) as raised:
        pipeline.ingest_source(source, settings, file=path)

    assert isinstance(raised.value, ParseError), raised.value
    assert raised.value.exit_code == 1
    assert name in str(raised.value)
    assert raw_state(settings.db_path) == before_rows
    new = ledger(settings.db_path)[len(before_ledger) :]
    assert all(entry["status"] == "failed" for entry in new)


def bomb(members: int = 1, size: int = 16 * 1024 * 1024) -> bytes:
    """A release-shaped zip whose year files are megabytes of one repeated byte."""
    content = {
        f"BACI_HS22_Y{2022 + index}_V202601.csv": BACI_HEADER + b"0" * size
        for index in range(members)
    }
    return zipped({**content, "country_codes_V202601.csv": BACI_COUNTRIES.read_bytes()})


def test_a_zip_bomb_is_refused_before_anything_is_extracted(
    inbox: tuple[Settings, Path],
) -> None:
    settings, folder = inbox
    path = folder / "BACI_HS22_V202601.zip"
    path.write_bytes(bomb())
    assert path.stat().st_size < 100_000  # tiny on disk, 16 MiB inside
    before = raw_state(settings.db_path)

    with pytest.raises(ParseError, match="zip bomb"):
        pipeline.ingest_source("baci", settings, file=path)

    assert raw_state(settings.db_path) == before
    assert ledger(settings.db_path)[-1]["status"] == "failed"
    assert not list(settings.landing_dir.rglob(".baci-*"))  # no scratch extraction left


def test_a_zip_past_the_size_limit_is_refused(
    inbox: tuple[Settings, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, folder = inbox
    monkeypatch.setenv("TRADEWATCH_ZIP_MAX_BYTES", "1000000")
    monkeypatch.setenv("TRADEWATCH_ZIP_MAX_RATIO", "1000000")
    path = folder / "BACI_HS22_V202601.zip"
    path.write_bytes(bomb(members=2, size=600_000))
    before = raw_state(settings.db_path)

    with pytest.raises(ParseError, match="TRADEWATCH_ZIP_MAX_BYTES"):
        pipeline.ingest_source("baci", settings, file=path)

    assert raw_state(settings.db_path) == before


def test_a_usgs_zip_bomb_is_refused(inbox: tuple[Settings, Path]) -> None:
    settings, folder = inbox
    path = folder / "salient.zip"
    path.write_bytes(zipped({"mcs2024-raree_salient.csv": b"Source," + b" " * 8_000_000}))
    before = raw_state(settings.db_path)

    with pytest.raises(ParseError, match="zip bomb"):
        pipeline.ingest_source("usgs-mcs", settings, file=path)

    assert raw_state(settings.db_path) == before


# --- formula injection in the deals register ---


@pytest.mark.parametrize(
    ("start", "file", "field"),
    [
        ("=", "deals.csv", "title"),
        ("+", "deals.csv", "title"),
        ("-", "deals.csv", "title"),
        ("@", "deals.csv", "title"),
        ("=", "deals.csv", "parties"),
        ("@", "deal_events.csv", "note"),
    ],
)
def test_a_formula_in_a_register_cell_is_refused_and_nothing_loads(
    start: str,
    file: str,
    field: str,
    seeded_settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = copy_register(tmp_path / "deals")
    rows = read_rows(folder, file)
    rows[0][field] = start + FORMULA[1:]
    write_rows(folder, file, rows)
    monkeypatch.setenv("TRADEWATCH_DEALS_DIR", str(folder))
    before = raw_state(seeded_settings.db_path)

    result = CliRunner().invoke(app, ["ingest", "deals"])

    assert result.exit_code == 1, result.output
    message = " ".join(result.output.split())
    assert f"field {field}" in message and "runs as a formula" in message
    assert raw_state(seeded_settings.db_path) == before
    validated = CliRunner().invoke(app, ["deals", "validate"])
    assert validated.exit_code == 1, validated.output


def test_a_latin_1_register_is_refused_as_not_utf8(
    seeded_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = copy_register(tmp_path / "deals")
    path = folder / "deals.csv"
    path.write_bytes(path.read_bytes().decode().replace("China", "Çhina", 1).encode("latin-1"))
    monkeypatch.setenv("TRADEWATCH_DEALS_DIR", str(folder))
    before = raw_state(seeded_settings.db_path)

    result = CliRunner().invoke(app, ["ingest", "deals"])

    assert result.exit_code == 1
    assert "not UTF-8" in " ".join(result.output.split())
    assert raw_state(seeded_settings.db_path) == before


# --- SQL: the query path cannot write, attach, install or read files ---

REFUSED_SQL = {
    "copy to a file": "copy marts.countries to '/tmp/tradewatch-stolen.csv'",
    "copy from a file": "copy marts.countries from '/etc/passwd'",
    "attach": "attach '/tmp/tradewatch-other.duckdb' as other",
    "read_csv outside": "select * from read_csv('/etc/passwd')",
    "read_text outside": "select * from read_text('/etc/passwd')",
    "glob": "select * from glob('/etc/*')",
    "install": "install httpfs",
    "load": "load httpfs",
    "set external access": "set enable_external_access = true",
    "reset a locked setting": "reset enable_external_access",
    "pragma that writes": "pragma enable_checkpoint_on_shutdown",
    "create table": "create table marts.x as select 1",
    "insert": "insert into ops.loads (load_id) values ('x')",
    "delete": "delete from ops.loads",
    "drop": "drop table marts.countries",
    "export database": "export database '/tmp/tradewatch-export'",
    "second statement writes": "select 1; drop table marts.countries",
}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_query_path_refuses_every_write_attach_and_file_read(
    built_warehouse: Settings,
) -> None:
    from ingest.access import query_database

    database = query_database(built_warehouse)
    before = sha256(database)
    runner = CliRunner()
    env = {"TRADEWATCH_DB": str(built_warehouse.db_path)}
    for name, sql in REFUSED_SQL.items():
        refused = runner.invoke(app, ["query", sql], env=env)
        assert refused.exit_code == 1, (name, refused.output)
        assert "query refused" in refused.output, (name, refused.output)
    assert sha256(database) == before
    assert not Path("/tmp/tradewatch-stolen.csv").exists()
    assert not Path("/tmp/tradewatch-export").exists()


@pytest.mark.parametrize(
    "argument",
    [
        pytest.param(["--status", "x' or 1=1 --"], id="or-1=1"),
        pytest.param(["--status", "signed'; drop table deals; --"], id="drop-table"),
    ],
)
def test_deals_list_refuses_an_injected_status(argument: list[str]) -> None:
    result = CliRunner().invoke(app, ["deals", "list", *argument])
    assert result.exit_code == 2
    assert "is not one of" in " ".join(result.output.split())


def test_deals_list_matches_an_injected_country_to_nothing() -> None:
    result = CliRunner().invoke(app, ["deals", "list", "--country", "TUR' or '1'='1"])
    assert result.exit_code == 0, result.output
    every = CliRunner().invoke(app, ["deals", "list"])
    assert "tr-us-" in every.output and "tr-us-" not in result.output
