"""Build the embedded warehouse with this environment's DuckDB and export every mart to Parquet.

`python -m tests.lake.embedded_export OUT_DIR`, with TRADEWATCH_DB and TRADEWATCH_LANDING set.
Used by the lake tests for an embedded build on the lake's own DuckDB release (1.5), whose
`copy from database` cannot publish the read-only copy: the marts are exported directly.
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb

from ingest import pipeline, transform
from ingest.settings import Settings


def main() -> None:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    settings = Settings.from_env()
    pipeline.ingest_all(settings)
    transform.build_models(settings)
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        marts = con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()
        for (mart,) in marts:
            target = str(out / f"{mart}.parquet").replace("'", "''")
            con.execute(f"copy (select * from marts.{mart}) to '{target}' (format parquet)")


if __name__ == "__main__":
    main()
