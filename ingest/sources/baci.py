"""CEPII BACI: bilateral trade at HS6, reconciled from both partners' reports to UN Comtrade.

A release is a zip (`BACI_HS22_V202601.zip`, several GB unzipped) of one CSV per year,
`t,i,j,k,v,q` (year, exporter, importer, HS6 product, value in thousands of USD f.o.b.,
quantity in tonnes), plus the release's country table. `--file` streams it: the zip is
archived by streaming copy, each year's member is extracted to a temporary file next to the
archive and read by DuckDB straight into the raw table, keeping only the rare-earth basket
unless `--all-products`. Nothing of the file is held in Python memory.

The bundled offline data are not release files: filtered extracts and summaries made by
critical-materials-atlas from BACI V202601, each modelled as its own dataset (see
`bundled/baci/PROVENANCE.md`). CEPII BACI, Etalab 2.0 licence (attribution required).
"""

from __future__ import annotations

import dataclasses
import io
import re
import tempfile
import zipfile
from collections.abc import Iterator
from functools import cache, partial
from pathlib import Path

import httpx
import polars as pl

from ingest.csvlimits import duckdb_options, read_csv, read_line
from ingest.errors import ParseError, TradewatchError
from ingest.settings import DBT_PROJECT_DIR, Settings
from ingest.sources.base import (
    Dataset,
    Payload,
    RawTable,
    Sink,
    Source,
    bundled_path,
    file_payload,
)
from ingest.ziplimits import ZipLimits, check_members, copy_member

SOURCE = "baci"
BUNDLED = "baci"
BASKET_SEED = DBT_PROJECT_DIR / "seeds" / "rare_earths" / "rare_earth_hs_basket.csv"
TRADE_HEADER = ("t", "i", "j", "k", "v", "q")
TRADE_MEMBER = re.compile(r"^BACI_(HS\d{2})_Y(\d{4})_(V\d{6}[a-z]?)\.csv$")
COUNTRY_MEMBER = re.compile(r"^country_codes_(V\d{6}[a-z]?)\.csv$")
# the atlas extracts carry neither version nor nomenclature: both are stated by their
# publisher (critical-materials-atlas: BACI_HS17_Y2022_V202601 / _Y2024_) and recorded here
ATLAS_VINTAGE, ATLAS_HS_REVISION = "V202601", "HS17"
ATLAS_FLOWS_NAME = re.compile(r"baci_(\d{4})\.csv$")

TRADE_FLOWS = RawTable(
    name="raw_baci.trade_flows",
    schema=pl.Schema(
        {
            "vintage": pl.String,
            "hs_revision": pl.String,
            "t": pl.Int32,
            "i": pl.String,
            "j": pl.String,
            "k": pl.String,
            "v": pl.Float64,
            "q": pl.Float64,
        }
    ),
    replace_key=("vintage", "hs_revision", "t"),
    description="One row per release, year, exporter, importer and HS6 product, as published "
    "(v thousands of USD, q tonnes; `NA` quantities are null).",
)
COUNTRY_CODES = RawTable(
    name="raw_baci.country_codes",
    schema=pl.Schema(
        {
            "vintage": pl.String,
            "country_code": pl.String,
            "country_name": pl.String,
            "country_iso2": pl.String,
            "country_iso3": pl.String,
        }
    ),
    replace_key=("vintage",),
    description="One row per release and BACI numeric country code.",
)
ATLAS_FLOWS = RawTable(
    name="raw_baci.atlas_flows",
    schema=pl.Schema(
        {
            "vintage": pl.String,
            "hs_revision": pl.String,
            "year": pl.Int32,
            "i": pl.String,
            "j": pl.String,
            "cmd": pl.String,
            "value": pl.Float64,
        }
    ),
    replace_key=("vintage", "hs_revision", "year"),
    description="One row per year, exporter ISO3, importer ISO3 and HS6: the atlas CSV extract "
    "(value in USD, i.e. BACI thousands times 1,000 by the extractor; no quantity).",
)
ATLAS_TRADE = RawTable(
    name="raw_baci.atlas_trade",
    schema=pl.Schema(
        {
            "vintage": pl.String,
            "hs_revision": pl.String,
            "year": pl.Int32,
            "exporter": pl.String,
            "exporter_name": pl.String,
            "importer": pl.String,
            "importer_name": pl.String,
            "hs6": pl.String,
            "material": pl.String,
            "value_kusd": pl.Float64,
            "qty_t": pl.Float64,
        }
    ),
    replace_key=("vintage", "hs_revision", "year"),
    description="One row per year, exporter ISO3, importer ISO3 and HS6: the atlas parquet "
    "extract in BACI's native units (thousand USD, tonnes).",
)
ATLAS_SUMMARY = RawTable(
    name="raw_baci.atlas_summary",
    schema=pl.Schema(
        {
            "vintage": pl.String,
            "dataset": pl.String,
            "hs6": pl.String,
            "year": pl.Int32,
            "hs_vintage": pl.String,
            "flow_role": pl.String,
            "country_iso2": pl.String,
            "country_name": pl.String,
            "value_usd": pl.Int64,
            "quantity_tonnes": pl.Float64,
            "share_of_world": pl.Float64,
            "china_export_share": pl.Float64,
            "note": pl.String,
            "source_url": pl.String,
        }
    ),
    replace_key=("vintage",),
    description="One row per HS6, year, role and country: world totals and the China/USA/"
    "Türkiye rows of the top-8 lists (absence means 'not in the top 8', not zero).",
)


# --- which products to keep ---


@cache
def basket_codes() -> tuple[str, ...]:
    """The rare-earth basket: the hs6 column of the dbt seed, the one list both layers use."""
    seed = pl.read_csv(BASKET_SEED, infer_schema_length=0)
    return tuple(sorted(seed["hs6"].to_list()))


def product_filter(
    all_products: bool = False, products: str | tuple[str, ...] | None = None
) -> tuple[str, ...] | None:
    """None keeps every product; otherwise the HS6 codes to keep (default: the basket)."""
    if all_products and products:
        raise TradewatchError("give either --all-products or --products, not both")
    if all_products:
        return None
    if not products:
        return basket_codes()
    codes = tuple(
        sorted(
            {
                code.strip()
                for code in (products.split(",") if isinstance(products, str) else products)
                if code.strip()
            }
        )
    )
    bad = [code for code in codes if not re.fullmatch(r"\d{6}", code)]
    if bad or not codes:
        raise TradewatchError(f"--products takes six-digit HS codes, got {bad or products!r}")
    return codes


def _chunk(codes: tuple[str, ...] | None) -> str:
    # the ledger's identity of a load: the same file kept whole or filtered is another load
    if codes is None:
        return "products:all"
    if codes == basket_codes():
        return "products:rare-earth-basket"
    return "products:" + ",".join(codes)


def _keep(frame: pl.DataFrame, column: str, codes: tuple[str, ...] | None) -> pl.DataFrame:
    if codes is None:
        return frame
    return frame.filter(pl.col(column).str.pad_start(6, "0").is_in(list(codes)))


# --- the native release (streamed into DuckDB) ---


def stage_release(path: Path, origin: str, sink: Sink, *, codes: tuple[str, ...] | None) -> None:
    """A release zip: the country table, then every year member, one at a time."""
    limits = ZipLimits.from_env()
    with zipfile.ZipFile(path) as archive:
        trade, country = _release_members(archive, origin)
        check_members(archive, [country, *trade], origin, limits)
        with tempfile.TemporaryDirectory(prefix=".baci-", dir=path.parent) as scratch:
            country_path = _extract(archive, country, Path(scratch), origin, limits)
            sink(COUNTRY_CODES.name, *_country_select(country_path, origin, country))
            country_path.unlink()
            for member in trade:
                with archive.open(member) as reader:
                    _check_trade_header(read_line(reader, f"{origin}: {member}"), origin, member)
                member_path = _extract(archive, member, Path(scratch), origin, limits)
                sink(TRADE_FLOWS.name, *_trade_select(member_path, _basename(member), codes))
                member_path.unlink()


def stage_release_year(
    path: Path, origin: str, sink: Sink, *, codes: tuple[str, ...] | None
) -> None:
    """One year's CSV already taken out of a release (named as in the zip)."""
    name = _basename(origin)
    if not TRADE_MEMBER.match(name):
        raise ParseError(
            f"{origin}: a BACI year file must keep its release name, "
            "e.g. BACI_HS22_Y2022_V202601.csv (it names the release)"
        )
    with open(path, "rb") as handle:
        _check_trade_header(read_line(handle, origin), origin, name)
    sink(TRADE_FLOWS.name, *_trade_select(path, name, codes))


def _release_members(archive: zipfile.ZipFile, origin: str) -> tuple[list[str], str]:
    names = [info.filename for info in archive.infolist() if not info.is_dir()]
    trade = sorted(name for name in names if TRADE_MEMBER.match(_basename(name)))
    countries = [name for name in names if COUNTRY_MEMBER.match(_basename(name))]
    if not trade:
        raise ParseError(
            f"{origin}: no BACI_HSnn_Yyyyy_Vyyyymm.csv member; found "
            f"{', '.join(names[:8]) or 'nothing'}"
        )
    if len(countries) != 1:
        raise ParseError(
            f"{origin}: expected one country_codes_V*.csv member, found {len(countries)}"
        )
    releases = {TRADE_MEMBER.match(_basename(name)).group(3) for name in trade}  # type: ignore[union-attr]
    revisions = {TRADE_MEMBER.match(_basename(name)).group(1) for name in trade}  # type: ignore[union-attr]
    country_release = COUNTRY_MEMBER.match(_basename(countries[0])).group(1)  # type: ignore[union-attr]
    if len(releases) != 1 or len(revisions) != 1 or releases != {country_release}:
        raise ParseError(
            f"{origin}: members from more than one release: "
            f"{sorted(releases | {country_release})}, {sorted(revisions)}"
        )
    return trade, countries[0]


def _extract(
    archive: zipfile.ZipFile, member: str, folder: Path, origin: str, limits: ZipLimits
) -> Path:
    target = folder / _basename(member)
    with archive.open(member) as reader, open(target, "wb") as writer:
        copy_member(reader, writer, origin, limits)
    return target


def _check_trade_header(line: bytes, origin: str, member: str) -> None:
    header = tuple(
        field.strip().strip('"')
        for field in line.decode("utf-8-sig", errors="replace").strip().split(",")
    )
    if header != TRADE_HEADER:
        raise ParseError(
            f"{origin}: {member}, line 1: header {','.join(header)[:120]!r}; "
            f"expected {','.join(TRADE_HEADER)}"
        )


def _trade_select(
    csv_path: Path, member: str, codes: tuple[str, ...] | None
) -> tuple[str, list[object]]:
    match = TRADE_MEMBER.match(member)
    assert match is not None
    revision, _, vintage = match.groups()
    reader = (
        f"read_csv({_literal(csv_path)}, header = true, auto_detect = false, delim = ',', "
        f"quote = '\"', escape = '\"', nullstr = '', {duckdb_options()}, "
        "columns = {'t': 'INTEGER', "
        "'i': 'VARCHAR', 'j': 'VARCHAR', 'k': 'VARCHAR', 'v': 'DOUBLE', 'q': 'VARCHAR'})"
    )
    params: list[object] = [vintage, revision]
    where = ""
    if codes is not None:
        where = "where list_contains(?::varchar[], lpad(k, 6, '0'))"
        params.append(list(codes))
    # BACI writes a missing quantity as NA (padded with spaces in some releases)
    select = (
        "select ?::varchar as vintage, ?::varchar as hs_revision, t, i, j, k, v, "
        "case when trim(q) in ('', 'NA') then null else cast(trim(q) as double) end as q "
        f"from {reader} {where}"
    )
    return select, params


COUNTRY_COLUMNS = {  # the release table's header has changed between versions
    "country_code": ("country_code",),
    "country_name": ("country_name", "country_name_abbreviation"),
    "country_iso2": ("country_iso2", "iso_2digit_alpha"),
    "country_iso3": ("country_iso3", "iso_3digit_alpha"),
}


def _country_columns(header: list[str], origin: str, member: str) -> dict[str, str]:
    chosen: dict[str, str] = {}
    for column, spellings in COUNTRY_COLUMNS.items():
        found = [name for name in spellings if name in header]
        if not found:
            raise ParseError(
                f"{origin}: {member}, line 1: no {' or '.join(spellings)} column "
                f"(header: {','.join(header)})"
            )
        chosen[column] = found[0]
    return chosen


def _country_select(csv_path: Path, origin: str, member: str) -> tuple[str, list[object]]:
    with open(csv_path, "rb") as handle:
        header = [
            field.strip().strip('"')
            for field in read_line(handle, f"{origin}: {member}")
            .decode("utf-8-sig", errors="replace")
            .strip()
            .split(",")
        ]
    chosen = _country_columns(header, origin, member)
    vintage = COUNTRY_MEMBER.match(_basename(member)).group(1)  # type: ignore[union-attr]
    picked = ", ".join(
        f"nullif(trim(\"{source}\"), '') as {column}" for column, source in chosen.items()
    )
    select = (
        f"select ?::varchar as vintage, {picked} from read_csv({_literal(csv_path)}, "
        f"header = true, all_varchar = true, delim = ',', quote = '\"', {duckdb_options()})"
    )
    return select, [vintage]


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _basename(name: str) -> str:
    return name.replace("\\", "/").rsplit("/", 1)[-1]


# --- the bundled atlas files (small: parsed in memory, validated by GX) ---


def parse_country_codes(payload: bytes, origin: str) -> dict[str, pl.DataFrame]:
    match = COUNTRY_MEMBER.match(_basename(origin))
    if not match:
        raise ParseError(
            f"{origin}: a BACI country table must keep its release name, "
            "e.g. country_codes_V202601.csv (it names the release)"
        )
    frame = _read_csv(payload, origin)
    chosen = _country_columns(frame.columns, origin, _basename(origin))
    frame = frame.select(
        pl.lit(match.group(1)).alias("vintage"),
        # a cell of spaces is empty, as in the staged twin (`nullif(trim(…), '')`)
        *(
            pl.col(source).str.strip_chars().replace("", None).alias(column)
            for column, source in chosen.items()
        ),
    )
    return {COUNTRY_CODES.name: frame}


def parse_atlas_flows(
    payload: bytes, origin: str, *, codes: tuple[str, ...] | None
) -> dict[str, pl.DataFrame]:
    """`i,j,cmd,value`: the year is in the file name (`baci_2022.csv`), not in the file."""
    match = ATLAS_FLOWS_NAME.search(_basename(origin))
    if not match:
        raise ParseError(
            f"{origin}: the atlas extract names its year in the file name "
            "(baci_YYYY.csv); rename the file to say which year it holds"
        )
    frame = _require(_read_csv(payload, origin), ("i", "j", "cmd", "value"), origin)
    frame = _numbers(frame, {"value": pl.Float64}, origin)
    frame = frame.select(
        pl.lit(ATLAS_VINTAGE).alias("vintage"),
        pl.lit(ATLAS_HS_REVISION).alias("hs_revision"),
        pl.lit(int(match.group(1))).cast(pl.Int32).alias("year"),
        "i", "j", "cmd", "value",
    )  # fmt: skip
    return {ATLAS_FLOWS.name: _keep(frame, "cmd", codes)}


def parse_atlas_trade(
    payload: bytes, origin: str, *, codes: tuple[str, ...] | None
) -> dict[str, pl.DataFrame]:
    try:
        frame = pl.read_parquet(io.BytesIO(payload))
    except Exception as error:
        raise ParseError(f"{origin}: not a readable parquet file: {error}") from None
    needed = [name for name in ATLAS_TRADE.schema if name not in ("vintage", "hs_revision")]
    frame = _require(frame, tuple(needed), origin)
    frame = frame.select(
        pl.lit(ATLAS_VINTAGE).alias("vintage"),
        pl.lit(ATLAS_HS_REVISION).alias("hs_revision"),
        *needed,
    )
    return {ATLAS_TRADE.name: _keep(frame, "hs6", codes)}


SUMMARY_NUMBERS = {
    "year": pl.Int32,
    "value_usd": pl.Int64,
    "quantity_tonnes": pl.Float64,
    "share_of_world": pl.Float64,
    "china_export_share": pl.Float64,
}


def parse_atlas_summary(
    payload: bytes, origin: str, *, codes: tuple[str, ...] | None
) -> dict[str, pl.DataFrame]:
    columns = [name for name in ATLAS_SUMMARY.schema if name != "vintage"]
    frame = _require(_read_csv(payload, origin), tuple(columns), origin)
    frame = _numbers(frame, SUMMARY_NUMBERS, origin)
    versions = frame["dataset"].str.extract(r"^BACI (V\d{6}[a-z]?)$")
    if versions.null_count():
        row = int(versions.is_null().arg_true()[0]) + 2
        raise ParseError(
            f"{origin}, row {row}, dataset: expected 'BACI Vyyyymm', got "
            f"{frame['dataset'][row - 2]!r}"
        )
    frame = frame.with_columns(vintage=versions).select(list(ATLAS_SUMMARY.schema))
    return {ATLAS_SUMMARY.name: _keep(frame, "hs6", codes)}


def _read_csv(payload: bytes, origin: str) -> pl.DataFrame:
    return read_csv(payload, origin, infer_schema_length=0)


def _require(frame: pl.DataFrame, columns: tuple[str, ...], origin: str) -> pl.DataFrame:
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ParseError(f"{origin}, row 1: missing column(s) {', '.join(missing)}")
    return frame


def _numbers(frame: pl.DataFrame, casts: dict[str, type[pl.DataType]], origin: str) -> pl.DataFrame:
    """Cast text to numbers; a published non-empty cell that is not a number is an error."""
    frame = frame.with_row_index("_row", offset=2)
    for column, dtype in casts.items():
        parsed = pl.col(column).cast(dtype, strict=False)
        bad = frame.filter(pl.col(column).is_not_null() & parsed.is_null())
        if bad.height:
            row = bad.row(0, named=True)
            raise ParseError(
                f"{origin}, row {row['_row']}, {column}: {row[column]!r} is not a number"
            )
        frame = frame.with_columns(parsed)
    return frame.drop("_row")


# --- datasets, payloads and the source ---

RELEASE = Dataset(SOURCE, "release", (TRADE_FLOWS, COUNTRY_CODES))
RELEASE_YEAR = Dataset(SOURCE, "release_year", (TRADE_FLOWS,))
COUNTRY_TABLE = Dataset(SOURCE, "country_codes", (COUNTRY_CODES,), parse_country_codes)
ATLAS_EXTRACT = Dataset(SOURCE, "atlas_extract", (ATLAS_FLOWS,))
ATLAS_TRADE_DATASET = Dataset(SOURCE, "atlas_trade", (ATLAS_TRADE,))
ATLAS_SUMMARY_DATASET = Dataset(SOURCE, "atlas_summary", (ATLAS_SUMMARY,))
FILTERED_PARSERS = {
    "atlas_extract": parse_atlas_flows,
    "atlas_trade": parse_atlas_trade,
    "atlas_summary": parse_atlas_summary,
}
FILTERED_STAGERS = {"release": stage_release, "release_year": stage_release_year}
BUNDLED_FILES = (
    (COUNTRY_TABLE, "country_codes_V202601.csv"),
    (ATLAS_EXTRACT, "baci_2022.csv"),
    (ATLAS_TRADE_DATASET, "trade_2024.parquet"),
    (ATLAS_SUMMARY_DATASET, "baci_rare_earth_trade_world_and_cn_us_tr.csv"),
)


def filtered(dataset: Dataset, codes: tuple[str, ...] | None) -> Dataset:
    """The dataset with its parser or stager bound to the product filter."""
    if dataset.name in FILTERED_PARSERS:
        return dataclasses.replace(
            dataset, parse=partial(FILTERED_PARSERS[dataset.name], codes=codes)
        )
    if dataset.name in FILTERED_STAGERS:
        return dataclasses.replace(
            dataset, stage=partial(FILTERED_STAGERS[dataset.name], codes=codes)
        )
    return dataset


def _payload(dataset: Dataset, path: Path, codes: tuple[str, ...] | None) -> Payload:
    if dataset.name not in (*FILTERED_PARSERS, *FILTERED_STAGERS):
        return file_payload(dataset, path)
    return file_payload(filtered(dataset, codes), path, chunk=_chunk(codes))


def offline(*, all_products: bool = False, products: str | None = None) -> Iterator[Payload]:
    codes = product_filter(all_products, products)
    for dataset, name in BUNDLED_FILES:
        yield _payload(dataset, bundled_path(BUNDLED, name), codes)


def live(settings: Settings, client: httpx.Client, **options: object) -> Iterator[Payload]:
    # CEPII publishes releases as large zips for download; `--file` loads one
    yield from offline(
        all_products=bool(options.get("all_products")), products=options.get("products")
    )  # type: ignore[arg-type]


def from_file(
    path: Path, *, all_products: bool = False, products: str | None = None
) -> Iterator[Payload]:
    yield _payload(_dataset_for(path), path, product_filter(all_products, products))


def _dataset_for(path: Path) -> Dataset:
    if zipfile.is_zipfile(path):
        return RELEASE
    if path.suffix.lower() == ".parquet":
        return ATLAS_TRADE_DATASET
    with open(path, "rb") as handle:
        header = read_line(handle, path.name).decode("utf-8-sig", errors="replace").strip()
    fields = [field.strip().strip('"') for field in header.split(",")]
    if tuple(fields) == TRADE_HEADER:
        return RELEASE_YEAR
    if fields[:2] == ["i", "j"]:
        return ATLAS_EXTRACT
    if fields[:1] == ["dataset"]:
        return ATLAS_SUMMARY_DATASET
    if "country_code" in fields:
        return COUNTRY_TABLE
    raise ParseError(
        f"{path.name}, line 1: not a BACI release, year file, country table or "
        f"atlas extract (header: {header[:120]!r})"
    )


BACI = Source(
    name=SOURCE,
    description="CEPII BACI reconciled bilateral trade at HS6 (rare-earth basket by default)",
    licence="CEPII BACI, Etalab 2.0 licence (attribution required)",
    datasets=(
        RELEASE,
        RELEASE_YEAR,
        COUNTRY_TABLE,
        ATLAS_EXTRACT,
        ATLAS_TRADE_DATASET,
        ATLAS_SUMMARY_DATASET,
    ),
    offline=offline,
    live=live,
    from_file=from_file,
    file_options=("all_products", "products"),
)
