"""Load attempts (`ops.loads`), their quality results and what the commands ask of them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import astuple
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

import duckdb

from ingest import warehouse
from ingest.ledger.schema import ExpectationOutcome, LoadRecord, connect, transaction


class EarlierLoad(NamedTuple):
    vintage: str | None


class FailedExpectation(NamedTuple):
    source: str
    dataset: str
    expectation_type: str
    column_name: str | None
    unexpected_sample: str | None


# --- loads ---


def insert_record(
    con: duckdb.DuckDBPyConnection, record: LoadRecord, outcomes: Sequence[ExpectationOutcome]
) -> None:
    """The load's row and its quality results, in the caller's transaction."""
    values = list(astuple(record))
    con.execute(f"insert into ops.loads values ({', '.join('?' * len(values))})", values)
    for outcome in outcomes:
        con.execute(
            "insert into ops.data_quality_results values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                record.load_id,
                outcome.raw_table,
                outcome.expectation_type,
                outcome.column_name,
                outcome.kwargs,
                outcome.success,
                outcome.element_count,
                outcome.unexpected_count,
                outcome.unexpected_sample,
                outcome.observed_value,
            ],
        )


def record_outcome(
    db_path: Path, record: LoadRecord, outcomes: Sequence[ExpectationOutcome]
) -> None:
    """A skipped or failed load: the ledger row (and any quality results) only."""
    with transaction(db_path) as con:
        insert_record(con, record, outcomes)


def previous_load(
    db_path: Path, source: str, dataset: str, sha256: str, chunk: str | None = None
) -> EarlierLoad | None:
    """The newest earlier successful load of the same payload for the same chunk, or None.
    A chunk can be a slice of one file: BACI's rare-earth rows are one load of a release,
    all its products another."""
    if not warehouse.exists(db_path):
        return None
    with connect(db_path) as con:
        row = con.execute(
            "select vintage from ops.loads where source = ? and dataset = ? "
            "and payload_sha256 = ? and status = 'ok' and chunk is not distinct from ? "
            "order by finished_at desc limit 1",
            [source, dataset, sha256, chunk],
        ).fetchone()
    return EarlierLoad(row[0]) if row else None


def loaded_chunks(db_path: Path, source: str, dataset: str) -> set[str]:
    """Chunks of a dataset with a successful load (for chunked, resumable sources)."""
    if not warehouse.exists(db_path):
        return set()
    with connect(db_path) as con:
        rows = con.execute(
            "select chunk from ops.loads where source = ? and dataset = ? "
            "and chunk is not null and status = 'ok'",
            [source, dataset],
        ).fetchall()
    return {row[0] for row in rows}


def requests_on(db_path: Path, source: str, datasets: Sequence[str], day: str) -> int:
    """Load attempts of `datasets` fetched over HTTP and started on `day` (UTC, YYYY-MM-DD):
    one per API call (a source's daily quota; retries are not counted)."""
    with connect(db_path) as con:
        row = con.execute(
            "select count(*) from ops.loads where source = ? "
            "and dataset in (select unnest(?::varchar[])) and starts_with(origin, 'http') "
            "and strftime(started_at at time zone 'UTC', '%Y-%m-%d') = ?",
            [source, list(datasets), day],
        ).fetchone()
    return int(row[0]) if row else 0


def sources_with_loads(db_path: Path) -> set[str]:
    """Sources with at least one successful load in the ledger."""
    if not warehouse.exists(db_path):
        return set()
    with connect(db_path) as con:
        return loaded_sources(con)


def loaded_sources(con: duckdb.DuckDBPyConnection) -> set[str]:
    """`sources_with_loads` on an open connection (e.g. the published copy)."""
    rows = con.execute("select distinct source from ops.loads where status = 'ok'").fetchall()
    return {row[0] for row in rows}


def loaded_since(db_path: Path, moment: datetime | str) -> bool:
    """Has any load succeeded after `moment`?"""
    with connect(db_path, read_only=True) as con:
        row = con.execute(
            "select max(finished_at) > ?::timestamptz from ops.loads where status = 'ok'",
            [moment],
        ).fetchone()
    return bool(row and row[0])


DATASETS_SQL = """
with attempts as (
    select source, dataset, status, vintage, row_count, finished_at, error from ops.loads
),
good as (
    select source, dataset, vintage, row_count, finished_at, count(*) over w as good_loads
    from attempts where status = 'ok'
    window w as (partition by source, dataset)
    qualify row_number() over (partition by source, dataset order by finished_at desc) = 1
),
newest as (
    select * from attempts
    qualify row_number() over (partition by source, dataset order by finished_at desc) = 1
)
select newest.source, newest.dataset, good.vintage, good.row_count, good.finished_at,
       good.good_loads, newest.status, newest.finished_at, newest.error
from newest
left join good on newest.source = good.source and newest.dataset = good.dataset
order by newest.source, newest.dataset
"""


def dataset_attempts(con: duckdb.DuckDBPyConnection) -> list[tuple[Any, ...]]:
    """Per source and dataset: the newest good load (vintage, rows, finished_at, how many
    good loads) and the newest attempt (status, finished_at, error)."""
    return con.execute(DATASETS_SQL).fetchall()


FAILED_EXPECTATIONS_SQL = """
with latest as (
    select * from ops.loads
    qualify row_number() over (partition by source, dataset order by finished_at desc) = 1
)
select latest.source, latest.dataset, results.expectation_type, results.column_name,
       results.unexpected_sample
from ops.data_quality_results as results
inner join latest on results.load_id = latest.load_id
where not results.success
"""


def failed_expectations(con: duckdb.DuckDBPyConnection) -> list[FailedExpectation]:
    """The failed expectations of each dataset's newest attempt."""
    return [FailedExpectation(*row) for row in con.execute(FAILED_EXPECTATIONS_SQL).fetchall()]


# --- what the report and a published copy say about their loads ---


def vintages(con: duckdb.DuckDBPyConnection, sources: Sequence[str]) -> list[str]:
    """Vintages of the sources' successful loads, as recorded (a load holding several
    editions names them all, comma-separated)."""
    rows = con.execute(
        "select distinct vintage from ops.loads where status = 'ok' and vintage is not null "
        "and source in (select unnest(?::varchar[])) order by vintage",
        [list(sources)],
    ).fetchall()
    return [row[0] for row in rows]


def latest_vintage(con: duckdb.DuckDBPyConnection, source: str) -> str | None:
    """The vintage of the source's most recent ok load (editions need not sort)."""
    rows = con.execute(
        "select vintage from ops.loads where status = 'ok' and source = ? "
        "and vintage is not null order by finished_at desc limit 1",
        [source],
    ).fetchall()
    return rows[0][0] if rows else None


def last_loaded_day(con: duckdb.DuckDBPyConnection, sources: Sequence[str]) -> str | None:
    """The UTC day (YYYY-MM-DD) of the sources' newest successful load."""
    rows = con.execute(
        "select strftime(max(finished_at) at time zone 'UTC', '%Y-%m-%d') from ops.loads "
        "where status = 'ok' and source in (select unnest(?::varchar[]))",
        [list(sources)],
    ).fetchall()
    return rows[0][0] if rows else None


def last_attempt_at(con: duckdb.DuckDBPyConnection) -> str | None:
    """When the newest load attempt of any status finished ('YYYY-MM-DD HH:MM UTC')."""
    rows = con.execute(
        "select strftime(max(finished_at) at time zone 'UTC', '%Y-%m-%d %H:%M UTC') from ops.loads"
    ).fetchall()
    return rows[0][0] if rows else None


def publication(con: duckdb.DuckDBPyConnection) -> tuple[str, str] | None:
    """(build_id, 'YYYY-MM-DD HH:MM UTC') of the build a published copy holds."""
    rows = con.execute(
        "select build_id, strftime(published_at at time zone 'UTC', "
        "'%Y-%m-%d %H:%M UTC') from ops.publication limit 1"
    ).fetchall()
    return (rows[0][0], rows[0][1]) if rows else None


def record_publication(
    con: duckdb.DuckDBPyConnection, catalog: str, build_id: str, built_at: datetime, host: str
) -> None:
    """The copy attached as `catalog` names its own build, so a reader can tell which one it
    holds."""
    con.execute(f"create schema if not exists {catalog}.ops")
    con.execute(
        f"create or replace table {catalog}.ops.publication "
        "(build_id varchar not null, published_at timestamptz not null, host varchar)"
    )
    con.execute(
        f"insert into {catalog}.ops.publication values (?, ?, ?)", [build_id, built_at, host]
    )


def loaded_vintages(
    con: duckdb.DuckDBPyConnection, catalog: str
) -> list[tuple[str, str, str | None, datetime]]:
    """(source, dataset, vintage, newest finished_at) of the successful loads in the
    warehouse attached as `catalog`."""
    return con.execute(
        f"""
        select source, dataset, vintage, max(finished_at) as loaded_at
        from {catalog}.ops.loads
        where status = 'ok'
        group by all
        order by source, dataset, vintage
        """
    ).fetchall()


def expectation_counts(
    con: duckdb.DuckDBPyConnection, catalog: str
) -> list[tuple[str, int, int, int]]:
    """(source, passed, failed, loads) over the loads the warehouse attached as `catalog`
    holds now: the latest ok load per source, dataset, vintage and chunk."""
    return con.execute(
        f"""
        with latest as (
            select *
            from {catalog}.ops.loads
            where status = 'ok'
            qualify row_number() over (
                partition by source, dataset, coalesce(vintage, ''), coalesce(chunk, '')
                order by finished_at desc
            ) = 1
        )
        select source,
               coalesce(sum(expectations_passed), 0)::bigint,
               coalesce(sum(expectations_failed), 0)::bigint,
               count(*)
        from latest
        group by source
        order by source
        """
    ).fetchall()
