"""Model and column descriptions as the database carries them (dbt `persist_docs`).

dbt writes every description as a DuckDB comment on the live warehouse. The published copy
must carry the same comments (BI tools and `describe` read them there), and each mart's
Parquet file carries them as key-value metadata: `description` (the mart's) and
`column_descriptions` (a JSON object, column name -> description).
"""

from __future__ import annotations

import json

import duckdb

COMMENTS_SQL = """
select schema_name, table_name, null as column_name, comment
from duckdb_tables() where database_name = $db and comment is not null
union all
select schema_name, view_name, null, comment
from duckdb_views() where database_name = $db and not internal and comment is not null
union all
select schema_name, table_name, column_name, comment
from duckdb_columns() where database_name = $db and comment is not null
"""

Comments = dict[tuple[str, str, str | None], str]  # (schema, relation, column or None)


def comments(con: duckdb.DuckDBPyConnection, database: str) -> Comments:
    rows = con.execute(COMMENTS_SQL, {"db": database}).fetchall()
    return {(schema, name, column): text for schema, name, column, text in rows if text}


def copy_missing_comments(con: duckdb.DuckDBPyConnection, source: str, target: str) -> int:
    """Comments of `source` that `target` lacks, written onto `target`; how many were."""
    have = comments(con, target)
    kinds = dict(
        con.execute(
            "select schema_name || '.' || view_name, 'view' from duckdb_views() "
            "where database_name = ? and not internal",
            [target],
        ).fetchall()
    )
    written = 0
    for (schema, name, column), text in comments(con, source).items():
        if have.get((schema, name, column)) == text:
            continue
        relation = f"{_quote(target)}.{_quote(schema)}.{_quote(name)}"
        if column is None:
            kind = kinds.get(f"{schema}.{name}", "table")
            con.execute(f"comment on {kind} {relation} is {_literal(text)}")
        else:
            con.execute(f"comment on column {relation}.{_quote(column)} is {_literal(text)}")
        written += 1
    return written


def parquet_metadata(con: duckdb.DuckDBPyConnection, database: str, schema: str, name: str) -> str:
    """The `KV_METADATA {...}` option of a COPY that writes this relation to Parquet."""
    found = {
        column: text
        for (found_schema, found_name, column), text in comments(con, database).items()
        if (found_schema, found_name) == (schema, name)
    }
    relation = found.pop(None, "")
    columns = json.dumps(found, ensure_ascii=False, sort_keys=True)
    return (
        f"kv_metadata {{description: {_literal(relation)}, "
        f"column_descriptions: {_literal(columns)}}}"
    )


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'
