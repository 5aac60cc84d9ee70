"""The benchmark's synthetic BACI releases: deterministic, shaped like the real release, and
accepted by the real `baci` loader with its full suite (no timings are checked here)."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import duckdb
import pytest

from bench.generate import basket, generate
from ingest.loader import load_payload
from ingest.settings import Settings
from ingest.sources.baci import BACI

ROWS = 20_000


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(ROWS, tmp_path_factory.mktemp("bench") / "release.zip", seed=3)


def _member_digests(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as archive:
        return {name: hashlib.sha256(archive.read(name)).hexdigest() for name in archive.namelist()}


def test_same_seed_gives_the_same_members(release: Path, tmp_path: Path) -> None:
    again = generate(ROWS, tmp_path / "again.zip", seed=3)
    assert _member_digests(release) == _member_digests(again)
    assert release.read_bytes() == again.read_bytes()


def test_release_shape(release: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(release) as archive:
        names = sorted(archive.namelist())
        assert names == ["BACI_HS22_Y2024_V202601.csv", "country_codes_V202601.csv"]
        assert archive.getinfo(names[0]).compress_type == zipfile.ZIP_DEFLATED
        member = tmp_path / names[0]
        member.write_bytes(archive.read(names[0]))
    assert member.read_text().splitlines()[0] == "t,i,j,k,v,q"
    row = (
        duckdb.connect()
        .execute(
            f"select count(*), count(distinct (t, i, j, k)), count(*) - count(q), "
            f"count(distinct i), count(distinct k) from read_csv('{member}', all_varchar = true)"
        )
        .fetchone()
    )
    rows, keys, empty_q, exporters, products = row
    assert rows == keys == ROWS
    assert 0.03 < empty_q / ROWS < 0.07
    assert exporters > 150
    assert products > 3_000


def test_the_baci_loader_accepts_it(release: Path, settings: Settings) -> None:
    results = [load_payload(payload, settings) for payload in BACI.from_file(release)]
    assert [result.status for result in results] == ["ok"]
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        kept = con.execute("select distinct k from raw_baci.trade_flows").fetchall()
        failed = con.execute(
            "select count(*) from ops.data_quality_results where not success"
        ).fetchone()[0]
    assert kept and {code for (code,) in kept} <= set(basket())
    assert failed == 0
