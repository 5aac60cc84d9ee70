"""Several writers on one lake: different sources commit together, one writer per table,
readers never blocked, and a writer killed mid-load leaves the lake as it was."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

from bench.generate import generate
from ingest.lake import LOCK_NAMESPACE
from ingest.sources import get_source
from tests.lake.conftest import LAKE_BIN, PROJECT_ROOT, Lake, partition_columns, require

BACI_ROWS = 2_000_000

psycopg = require("psycopg")


def _ok_sources(lake: Lake) -> dict[str, int]:
    with lake.connect() as con:
        rows = con.execute(
            "select source, count(*) from ops.loads where status = 'ok' group by source"
        ).fetchall()
    return dict(rows)


def _replaced_once(lake: Lake, source: str) -> dict[str, int]:
    """Per raw table: key values that more than one load still holds (the replace key
    admits one; a duplicated load would leave two)."""
    found: dict[str, int] = {}
    with lake.connect() as con:
        for table in get_source(source).tables:
            key = ", ".join(f'"{column}"' for column in table.replace_key) or "true"
            found[table.name] = con.execute(
                f"select count(*) from (select {key} from {table.name} group by all "
                "having count(distinct load_id) > 1)"
            ).fetchone()[0]
    return found


def test_writers_of_different_sources_commit_concurrently(fresh_lake: Lake) -> None:
    sources = ("usgs-mcs", "census-country", "deals", "reference")
    writers = [fresh_lake.popen("ingest", source) for source in sources]
    outputs = [writer.communicate(timeout=600) for writer in writers]
    codes = [writer.returncode for writer in writers]
    assert codes == [0] * len(sources), outputs
    assert set(_ok_sources(fresh_lake)) == set(sources)


def test_a_writer_of_a_held_table_retries_then_exits_3(fresh_lake: Lake) -> None:
    tables = sorted({table.name for table in get_source("usgs-mcs").tables})
    with psycopg.connect(fresh_lake.catalog_dsn, autocommit=True) as holder:
        for table in tables:  # another machine's writer, mid-load
            holder.execute("select pg_advisory_lock(%s, hashtext(%s))", [LOCK_NAMESPACE, table])
        blocked = fresh_lake.tradewatch(
            "ingest",
            "usgs-mcs",
            TRADEWATCH_LAKE_LOCK_ATTEMPTS="3",
            TRADEWATCH_LAKE_LOCK_WAIT_S="0.1",
        )
    assert blocked.returncode == 3, blocked.stdout + blocked.stderr
    assert "is being loaded by another writer" in blocked.stderr
    assert "gave up after 3 attempts" in blocked.stderr
    assert "usgs-mcs" not in _ok_sources(fresh_lake)
    retried = fresh_lake.tradewatch("ingest", "usgs-mcs")
    assert retried.returncode == 0, retried.stderr
    assert "usgs-mcs" in _ok_sources(fresh_lake)


def test_two_writers_of_the_same_table_one_wins(fresh_lake: Lake) -> None:
    first, second = (fresh_lake.popen("ingest", "usgs-mcs") for _ in range(2))
    outputs = [first.communicate(timeout=600), second.communicate(timeout=600)]
    codes = sorted([first.returncode, second.returncode])
    assert codes in ([0, 0], [0, 3]), outputs
    if codes == [0, 3]:
        assert any("is being loaded by another writer" in err for _, err in outputs)
    assert set(_replaced_once(fresh_lake, "usgs-mcs").values()) == {0}


def _baci_release(folder: Path) -> Path:
    return generate(BACI_ROWS, folder / "BACI_HS22_V202601.zip")


def _trade_rows(lake: Lake) -> int:
    with lake.connect() as con:
        exists = con.execute(
            "select count(*) from information_schema.tables where table_catalog = "
            "current_database() and table_schema = 'raw_baci' and table_name = 'trade_flows'"
        ).fetchone()[0]
        if not exists:
            return 0
        return con.execute("select count(*) from raw_baci.trade_flows").fetchone()[0]


def _wait_for_lock(lake: Lake, writer: subprocess.Popen, *, held: bool) -> None:
    """Until the writer holds (or no longer holds) a table lock in the catalog."""
    with psycopg.connect(lake.catalog_dsn, autocommit=True) as pg:
        for _ in range(600):
            count = pg.execute(
                "select count(*) from pg_locks where locktype = 'advisory' and classid = %s "
                "and database = (select oid from pg_database where datname = current_database())",
                [LOCK_NAMESPACE],
            ).fetchone()[0]
            if (count > 0) == held:
                return
            assert held is False or writer.poll() is None, writer.communicate()
            time.sleep(0.1)
    raise AssertionError(f"the table lock was never {'taken' if held else 'released'}")


def test_a_reader_is_never_blocked_and_sees_a_load_whole(fresh_lake: Lake, tmp_path: Path) -> None:
    release = _baci_release(tmp_path)
    writer = fresh_lake.popen("ingest", "baci", "--file", str(release), "--all-products")
    _wait_for_lock(fresh_lake, writer, held=True)
    seen: list[int] = []
    while writer.poll() is None and len(seen) < 10_000:
        seen.append(_trade_rows(fresh_lake))
    out, err = writer.communicate(timeout=600)
    assert writer.returncode == 0, out + err
    assert len(seen) >= 2  # the reader worked while the load ran
    assert set(seen) <= {0, BACI_ROWS}
    assert _trade_rows(fresh_lake) == BACI_ROWS


DIE_BEFORE_COMMIT = """
import os, signal, sys
from ingest import ledger
from ingest.cli import app
insert_record = ledger.insert_record
def insert_then_die(con, record, outcomes):
    insert_record(con, record, outcomes)
    if "trade_flows" in (record.raw_tables or ""):
        os.kill(os.getpid(), signal.SIGKILL)
ledger.insert_record = insert_then_die
app(sys.argv[1:], prog_name="tradewatch")
"""


def test_kill_9_mid_load_leaves_the_lake_consistent(fresh_lake: Lake, tmp_path: Path) -> None:
    release = _baci_release(tmp_path)
    args = ("ingest", "baci", "--file", str(release), "--all-products")
    # the writer kills itself inside the load's transaction, after the trade rows and the
    # ledger row are written and before the commit: deterministic, however fast the machine
    writer = subprocess.Popen(
        [str(LAKE_BIN / "python"), "-c", DIE_BEFORE_COMMIT, *args],
        env=fresh_lake.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=PROJECT_ROOT,
    )
    writer.communicate(timeout=600)
    assert writer.returncode == -signal.SIGKILL
    _wait_for_lock(fresh_lake, writer, held=False)  # the catalog freed the dead writer's lock
    assert _trade_rows(fresh_lake) == 0
    assert "baci" not in _ok_sources(fresh_lake)
    rerun = fresh_lake.tradewatch(*args)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert _trade_rows(fresh_lake) == BACI_ROWS
    assert partition_columns(fresh_lake.catalog_dsn, "trade_flows") == 1  # by year
