"""`tradewatch publish --postgres`: the marts, read back through a PostgreSQL client."""

from __future__ import annotations

import threading

from tests.lake.conftest import Lake, new_database, require

psycopg = require("psycopg")


def _mart_counts(con) -> dict[str, int]:  # type: ignore[no-untyped-def]
    names = [
        name
        for (name,) in con.execute(
            "select table_name from information_schema.tables "
            "where table_catalog = current_database() and table_schema = 'marts'"
        ).fetchall()
    ]
    return {name: con.execute(f"select count(*) from marts.{name}").fetchone()[0] for name in names}


def _served_counts(pg: psycopg.Connection) -> dict[str, int]:
    names = [
        name
        for (name,) in pg.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()
    ]
    return {
        name: pg.execute(f'select count(*) from marts."{name}"').fetchone()[0] for name in names
    }


def test_publish_serves_every_mart_with_its_comments(built_lake: Lake, pg_dsn: str) -> None:
    serving = new_database(pg_dsn, "serving")
    result = built_lake.tradewatch("publish", "--target", "lake", "--postgres", serving)
    assert result.returncode == 0, result.stderr
    with built_lake.connect() as con:
        expected = _mart_counts(con)
        latest = con.execute(
            "select as_of_month, total_trade_t12m_usd from marts.trade_goal_progress "
            "order by as_of_month desc limit 1"
        ).fetchone()
    with psycopg.connect(serving) as pg:
        assert _served_counts(pg) == expected
        served_latest = pg.execute(
            "select as_of_month, total_trade_t12m_usd from marts.trade_goal_progress "
            "order by as_of_month desc limit 1"
        ).fetchone()
        table_comment = pg.execute(
            "select obj_description('marts.trade_goal_progress'::regclass, 'pg_class')"
        ).fetchone()[0]
        column_comments = pg.execute(
            "select count(*) from pg_description d join pg_class c on c.oid = d.objoid "
            "join pg_namespace n on n.oid = c.relnamespace "
            "where n.nspname = 'marts' and d.objsubid > 0 and d.description <> ''"
        ).fetchone()[0]
    assert served_latest == latest
    assert table_comment.startswith("One row per month")
    assert column_comments > 50


def test_a_reader_never_sees_half_a_publication(built_lake: Lake, pg_dsn: str) -> None:
    serving = new_database(pg_dsn, "serving")
    first = built_lake.tradewatch("publish", "--postgres", serving)
    assert first.returncode == 0, first.stderr
    with psycopg.connect(serving) as pg:
        expected = _served_counts(pg)
    seen: list[dict[str, int]] = []
    failures: list[str] = []
    stop = threading.Event()

    def read() -> None:
        with psycopg.connect(serving, autocommit=True) as pg:
            for _ in range(10_000):  # bounded; stopped when the publication is done
                if stop.is_set():
                    return
                try:
                    with pg.transaction():
                        seen.append(_served_counts(pg))
                except psycopg.Error as error:
                    failures.append(str(error))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        second = built_lake.tradewatch("publish", TRADEWATCH_SERVING_DSN=serving)
    finally:
        stop.set()
        reader.join(timeout=120)
    assert second.returncode == 0, second.stderr
    assert failures == []
    assert len(seen) >= 2
    assert all(counts == expected for counts in seen)
    with psycopg.connect(serving) as pg:
        schemas = pg.execute(
            "select nspname from pg_namespace where nspname like 'marts%' order by 1"
        ).fetchall()
    assert schemas == [("marts",)]
