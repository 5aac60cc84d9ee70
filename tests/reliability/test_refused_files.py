"""A `--file` its source refuses is archived byte-exact and ledgered `failed`, for every
source: usgs-mcs, baci and comtrade refused some files before yielding a payload, so the
file was neither kept nor recorded (census-country, reference and turkstat did both)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from ingest.cli import app
from ingest.settings import Settings
from tests.ingest.test_loader import ledger, raw_state
from tests.reliability.test_hostile_inputs import zipped

REFUSED = {
    "usgs-mcs-unknown-csv": ("usgs-mcs", "notes.csv", b"a,b,c\n1,2,3\n"),
    "usgs-mcs-zip-without-release-csv": ("usgs-mcs", "salient.zip", zipped({"x.txt": b"x"})),
    "usgs-mcs-zip-bomb-member": (
        "usgs-mcs",
        "world.zip",
        zipped({"mcs2024-raree_world.csv": b"Source," + b" " * 8_000_000}),
    ),
    "baci-unknown-csv": ("baci", "trade.csv", b"x,y,z\n1,2,3\n"),
    "baci-broken-zip": ("baci", "BACI_HS22_V202501.zip", b"PK\x03\x04" + b"\x00" * 200),
    "comtrade-not-a-response": ("comtrade", "answer.json", b"hello, not comtrade\n"),
    "comtrade-cut-gzip": ("comtrade", "atlas.csv.gz", b"\x1f\x8b\x08\x00garbage"),
}


@pytest.mark.parametrize("case", REFUSED)
def test_a_refused_file_is_archived_and_ledgered_for_every_source(
    case: str, inbox: tuple[Settings, Path]
) -> None:
    settings, folder = inbox
    source, name, content = REFUSED[case]
    path = folder / name
    path.write_bytes(content)
    before_rows, before_ledger = raw_state(settings.db_path), ledger(settings.db_path)

    result = CliRunner().invoke(app, ["ingest", source, "--file", str(path)])

    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert raw_state(settings.db_path) == before_rows
    new = ledger(settings.db_path)[len(before_ledger) :]
    assert new and {row["status"] for row in new} == {"failed"}
    assert {row["source"] for row in new} == {source}
    kept = Path(new[-1]["payload_path"])
    assert kept.is_relative_to(settings.landing_dir) and kept.read_bytes() == content
