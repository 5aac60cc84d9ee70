"""A generated BACI release, in CEPII's own layout, goes through the real loader (zip or one
extracted year file → DuckDB → raw_baci) with every value unchanged: codes stay text with
their leading zeros, `v` and `q` are the numbers written, and a quantity written empty,
`NA` or space-padded `NA` is null."""

from __future__ import annotations

import csv
import io
import tempfile
import zipfile
from pathlib import Path

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.loader import load_payload
from ingest.settings import Settings
from ingest.sources import baci
from ingest.sources.base import SourceRequest

VINTAGE, REVISION = "V202601", "HS22"
country_codes = st.from_regex(r"[0-9]{1,3}", fullmatch=True)  # "4", "004", "842"
product_codes = st.from_regex(r"[0-9]{5,6}", fullmatch=True)  # "10121", "010121", "850511"
# BACI writes v (thousand USD) and q (tonnes) with up to three decimals
amounts = st.tuples(st.integers(0, 10**12), st.sampled_from(["", ".0", ".5", ".001", ".125"]))
numbers = amounts.map(lambda parts: f"{parts[0]}{parts[1]}")
missing_q = st.sampled_from(["", "NA", "          NA", "NA  ", " NA "])
quantities = st.one_of(numbers, numbers.map(lambda text: f"{text:>16}"), missing_q)
flows = st.lists(
    st.tuples(country_codes, country_codes, product_codes, numbers, quantities),
    min_size=1,
    max_size=25,
    unique_by=lambda row: row[:3],
)
names = (
    st.lists(
        st.sampled_from([",", '"', "'", "Côte d'Ivoire", "Türkiye", "中国", "NA", " ", "é"])
        | st.text(st.characters(categories=("L", "N", "P", "S")), min_size=1, max_size=6),
        min_size=1,
        max_size=4,
    )
    .map(lambda parts: "".join(parts).strip())
    .filter(bool)
)
countries = st.lists(
    st.tuples(
        country_codes,
        names,
        st.from_regex(r"[A-Z]{2}", fullmatch=True) | st.just(""),
        st.from_regex(r"[A-Z0-9]{3}", fullmatch=True),
    ),
    min_size=1,
    max_size=8,
    unique_by=lambda row: row[0],
)


def csv_text(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def expected_q(text: str) -> float | None:
    return None if text.strip() in ("", "NA") else float(text)


def loaded(folder: Path, path: Path) -> tuple[list[tuple], list[tuple]]:
    run = Settings(db_path=folder / "tradewatch.duckdb", landing_dir=folder / "landing")
    (payload,) = baci.from_file(path, SourceRequest(all_products=True))
    assert load_payload(payload, run).status == "ok"
    with duckdb.connect(str(run.db_path), read_only=True) as con:
        trade = con.execute(
            "select vintage, hs_revision, t, i, j, k, v, q from raw_baci.trade_flows"
        ).fetchall()
        tables = {
            row[0] for row in con.execute("select table_name from duckdb_tables()").fetchall()
        }
        codes = (
            con.execute(
                "select vintage, country_code, country_name, country_iso2, country_iso3 "
                "from raw_baci.country_codes"
            ).fetchall()
            if "country_codes" in tables
            else []
        )
    return trade, codes


@settings(max_examples=12, deadline=None)
@given(
    year=st.integers(1995, 2030),
    rows=flows,
    table=countries,
    as_zip=st.booleans(),
)
def test_a_generated_release_loads_with_every_value_unchanged(
    year: int,
    rows: list[tuple[str, str, str, str, str]],
    table: list[tuple[str, str, str, str]],
    as_zip: bool,
) -> None:
    member = f"BACI_{REVISION}_Y{year}_{VINTAGE}.csv"
    # BACI's year files are unquoted: numbers and codes only
    year_file = "t,i,j,k,v,q\n" + "".join(f"{year},{','.join(row)}\n" for row in rows)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        if as_zip:
            path = folder / f"BACI_{REVISION}_{VINTAGE}.zip"
            with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
                archive.writestr(member, year_file)
                archive.writestr(
                    f"country_codes_{VINTAGE}.csv",
                    csv_text(tuple(baci.COUNTRY_COLUMNS), table),
                )
        else:
            path = folder / member
            path.write_text(year_file)
        trade, codes = loaded(folder, path)

    assert sorted(trade, key=repr) == sorted(
        ((VINTAGE, REVISION, year, i, j, k, float(v), expected_q(q)) for i, j, k, v, q in rows),
        key=repr,
    )
    expected_codes = [(VINTAGE, code, name, iso2 or None, iso3) for code, name, iso2, iso3 in table]
    assert sorted(codes) == (sorted(expected_codes) if as_zip else [])
