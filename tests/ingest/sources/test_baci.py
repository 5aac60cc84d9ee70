"""BACI: parsers on the bundled files with known published values, and the native release
(streamed from a zip into DuckDB) rebuilt in BACI's own `t,i,j,k,v,q` layout from the
bundled real rows."""

from __future__ import annotations

import zipfile
from pathlib import Path

import polars as pl
import pytest

from ingest import pipeline
from ingest.errors import DataQualityError, ParseError, TradewatchError
from ingest.settings import Settings
from ingest.sources import baci
from ingest.sources.base import SourceRequest, bundled_path
from tests.raw_tables import raw, table_exists

MAGNETS = "850511"


def bundled(name: str) -> bytes:
    return bundled_path("baci", name).read_bytes()


def one(frame: pl.DataFrame, **where: object) -> dict[str, object]:
    rows = frame.filter(*(pl.col(key) == value for key, value in where.items()))
    assert rows.height == 1, rows
    return rows.row(0, named=True)


def test_atlas_extract_keeps_the_published_2022_magnet_values() -> None:
    frame = baci.parse_atlas_flows(
        bundled("baci_2022.csv"), "baci_2022.csv", codes=baci.basket_codes()
    )[baci.ATLAS_FLOWS.name]
    assert one(frame, i="TUR", j="USA", cmd=MAGNETS)["value"] == 36566.0
    assert one(frame, i="USA", j="TUR", cmd=MAGNETS)["value"] == 322766.0
    assert frame["cmd"].unique().to_list() == [MAGNETS]  # the only basket code in the file
    assert frame.height == 4441
    assert set(frame["year"]) == {2022} and set(frame["vintage"]) == {"V202601"}


def test_all_products_keeps_every_code_of_the_extract() -> None:
    frame = baci.parse_atlas_flows(bundled("baci_2022.csv"), "baci_2022.csv", codes=None)[
        baci.ATLAS_FLOWS.name
    ]
    assert frame.height == 23167
    assert frame["cmd"].n_unique() == 30


def test_atlas_trade_keeps_native_units_and_quantities() -> None:
    frame = baci.parse_atlas_trade(
        bundled("trade_2024.parquet"), "trade_2024.parquet", codes=baci.basket_codes()
    )[baci.ATLAS_TRADE.name]
    usa_to_turkey = one(frame, exporter="USA", importer="TUR", hs6=MAGNETS)
    assert (usa_to_turkey["value_kusd"], usa_to_turkey["qty_t"]) == (609.017, 2.195)
    turkey_to_usa = one(frame, exporter="TUR", importer="USA", hs6=MAGNETS)
    assert (turkey_to_usa["value_kusd"], turkey_to_usa["qty_t"]) == (86.206, 2.636)
    assert frame.height == 4415


def test_atlas_summary_world_totals_and_the_one_turkish_row() -> None:
    frame = baci.parse_atlas_summary(
        bundled("baci_rare_earth_trade_world_and_cn_us_tr.csv"),
        "summary.csv",
        codes=baci.basket_codes(),
    )[baci.ATLAS_SUMMARY.name]
    assert frame.height == 90
    world = one(frame, hs6="280530", year=2024, flow_role="world_total")
    assert (world["value_usd"], world["quantity_tonnes"]) == (388448982, 13784.6)
    turkey = frame.filter(pl.col("country_iso2") == "TR")
    assert turkey.select("hs6", "year", "flow_role", "value_usd").rows() == [
        ("284690", 2020, "importer", 37264720)
    ]
    assert set(frame["vintage"]) == {"V202601"}


def test_country_table_keeps_codes_as_text_and_blank_iso2_as_null() -> None:
    frame = baci.parse_country_codes(
        bundled("country_codes_V202601.csv"), "country_codes_V202601.csv"
    )[baci.COUNTRY_CODES.name]
    assert frame.height == 238
    assert one(frame, country_code="792")["country_iso3"] == "TUR"
    assert one(frame, country_code="842")["country_iso3"] == "USA"
    taiwan = one(frame, country_code="490")
    assert (taiwan["country_iso3"], taiwan["country_iso2"]) == ("S19", None)


def test_older_country_table_header_is_understood() -> None:
    current = bundled("country_codes_V202601.csv").decode()
    older = current.replace(
        "country_code,country_name,country_iso2,country_iso3",
        "country_code,country_name_abbreviation,iso_2digit_alpha,iso_3digit_alpha",
    )
    frame = baci.parse_country_codes(older.encode(), "country_codes_V202301.csv")
    assert one(frame[baci.COUNTRY_CODES.name], country_code="792")["vintage"] == "V202301"


def test_parse_errors_name_the_file_and_row() -> None:
    with pytest.raises(ParseError, match="baci_YYYY"):
        baci.parse_atlas_flows(bundled("baci_2022.csv"), "extract.csv", codes=None)
    broken = b"i,j,cmd,value\nTUR,USA,850511,36566.0\nUSA,TUR,850511,n/a\n"
    with pytest.raises(ParseError, match=r"baci_2022.csv, row 3, value: 'n/a'"):
        baci.parse_atlas_flows(broken, "baci_2022.csv", codes=None)


def test_products_option_is_validated() -> None:
    assert baci.product_filter() == baci.basket_codes()
    assert baci.product_filter(all_products=True) is None
    assert baci.product_filter(products="850511, 280530") == ("280530", "850511")
    with pytest.raises(TradewatchError, match="six-digit"):
        baci.product_filter(products="8505")
    with pytest.raises(TradewatchError, match="not both"):
        baci.product_filter(all_products=True, products="850511")


def test_basket_comes_from_the_bundled_reference_file() -> None:
    assert baci.basket_codes() == (
        "253090",
        "261220",
        "280530",
        "284610",
        "284690",
        "360690",
        "382499",
        "720299",
        "850511",
    )


# --- the native release, rebuilt from the bundled real rows ---


def release_member_2024() -> str:
    """BACI's own year file for 2024 from the bundled parquet (native units), exporter and
    importer turned back into BACI numeric codes with the release's country table."""
    countries = pl.read_csv(
        bundled_path("baci", "country_codes_V202601.csv"), infer_schema_length=0
    )
    codes = countries.filter(~pl.col("country_code").is_in(["58", "280", "736"])).select(
        "country_iso3", "country_code"
    )
    trade = pl.read_parquet(bundled_path("baci", "trade_2024.parquet"))
    native = (
        trade.join(codes.rename({"country_code": "i"}), left_on="exporter", right_on="country_iso3")
        .join(codes.rename({"country_code": "j"}), left_on="importer", right_on="country_iso3")
        .select(
            pl.col("year").alias("t"),
            "i",
            "j",
            pl.col("hs6").alias("k"),
            pl.col("value_kusd")
            .map_elements(lambda v: f"{v:.3f}", return_dtype=pl.String)
            .alias("v"),
            # BACI writes a missing quantity as NA, right-aligned in some releases
            pl.col("qty_t")
            .map_elements(lambda q: f"{q:.3f}", return_dtype=pl.String)
            .fill_null("          NA")
            .alias("q"),
        )
    )
    assert native.height == trade.height
    return native.write_csv(quote_style="never")


def release_zip(
    folder: Path, *, member_2024: str | None = None, extra: dict[str, str] | None = None
) -> Path:
    path = folder / "BACI_HS17_V202601.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("BACI_HS17_Y2024_V202601.csv", member_2024 or release_member_2024())
        archive.writestr(
            "BACI_HS17_Y2023_V202601.csv", "t,i,j,k,v,q\n2023,842,792,850511,100.5,1.25\n"
        )
        archive.writestr("country_codes_V202601.csv", bundled("country_codes_V202601.csv"))
        archive.writestr("Readme.txt", "CEPII BACI")
        for name, text in (extra or {}).items():
            archive.writestr(name, text)
    return path


def test_release_zip_is_streamed_with_the_basket_by_default(
    settings: Settings, tmp_path: Path
) -> None:
    path = release_zip(tmp_path)
    (result,) = pipeline.ingest_source("baci", settings, file=path)
    assert (result.dataset, result.status, result.chunk) == (
        "release",
        "ok",
        "products:rare-earth-basket",
    )
    flows = raw(settings, "select t, count(*) from raw_baci.trade_flows group by t order by t")
    assert flows == [(2023, 1), (2024, 4415)]  # only 850511 of the 30 codes is in the basket
    assert raw(
        settings, "select v, q from raw_baci.trade_flows where t = 2024 and i = '842' and j = '792'"
    ) == [(609.017, 2.195)]
    assert raw(settings, "select count(*) from raw_baci.trade_flows where q is null")[0][0] > 0
    assert raw(settings, "select count(*) from raw_baci.country_codes")[0][0] == 238
    archived = list((settings.landing_dir / "baci" / "release").glob("*.zip"))
    assert [p.read_bytes() for p in archived] == [path.read_bytes()]  # byte-exact archive
    recorded = raw(
        settings,
        "select count(*), bool_and(success) from ops.data_quality_results "
        "where raw_table = 'raw_baci.trade_flows'",
    )
    assert recorded == [(18, True)]  # every expectation of the suite, evaluated as SQL


def test_all_products_replaces_the_basket_rows_and_is_a_new_load(
    settings: Settings, tmp_path: Path
) -> None:
    path = release_zip(tmp_path)
    pipeline.ingest_source("baci", settings, file=path)
    again = pipeline.ingest_source("baci", settings, file=path)
    assert [r.status for r in again] == ["skipped"]
    (everything,) = pipeline.ingest_source(
        "baci", settings, file=path, request=SourceRequest(all_products=True)
    )
    assert (everything.status, everything.chunk) == ("ok", "products:all")
    assert raw(settings, "select count(*) from raw_baci.trade_flows where t = 2024") == [(21723,)]
    assert raw(settings, "select count(distinct load_id) from raw_baci.trade_flows") == [(1,)]


def test_a_failed_expectation_publishes_nothing(settings: Settings, tmp_path: Path) -> None:
    pipeline.ingest_source("baci", settings, file=release_zip(tmp_path))
    before = raw(settings, "select count(*), min(load_id) from raw_baci.trade_flows")
    bad = tmp_path / "bad"
    bad.mkdir()
    negative = "t,i,j,k,v,q\n2024,842,792,850511,-1.000,2.195\n2024,156,842,850511,5.000,NA\n"
    with pytest.raises(DataQualityError, match="expect_column_values_to_be_between on v"):
        pipeline.ingest_source("baci", settings, file=release_zip(bad, member_2024=negative))
    assert raw(settings, "select count(*), min(load_id) from raw_baci.trade_flows") == before
    failed = raw(
        settings,
        "select l.status, r.unexpected_count, r.unexpected_sample "
        "from ops.loads l join ops.data_quality_results r using (load_id) "
        "where not r.success",
    )
    assert failed == [("failed", 1, "[-1.0]")]


def test_a_release_with_a_changed_header_is_refused(settings: Settings, tmp_path: Path) -> None:
    changed = "year,exporter,importer,product,value,quantity\n2024,842,792,850511,1.0,1.0\n"
    with pytest.raises(ParseError, match=r"BACI_HS17_Y2024_V202601.csv, line 1: header"):
        pipeline.ingest_source("baci", settings, file=release_zip(tmp_path, member_2024=changed))
    assert not table_exists(settings, "raw_baci.trade_flows")


def test_a_zip_without_year_files_is_refused(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "not_baci.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "nothing")
    with pytest.raises(ParseError, match=r"no BACI_HSnn_Yyyyy_Vyyyymm\.csv member"):
        pipeline.ingest_source("baci", settings, file=path)


def test_one_extracted_year_file_loads_on_its_own(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "BACI_HS17_Y2024_V202601.csv"
    path.write_text(release_member_2024())
    (result,) = pipeline.ingest_source(
        "baci", settings, file=path, request=SourceRequest(products=MAGNETS)
    )
    assert (result.dataset, result.rows, result.chunk) == ("release_year", 4415, "products:850511")


def test_offline_loads_the_bundled_datasets(settings: Settings) -> None:
    results = pipeline.ingest_source("baci", settings)
    assert [(r.dataset, r.status, r.rows) for r in results] == [
        ("country_codes", "ok", 238),
        ("atlas_extract", "ok", 4441),
        ("atlas_trade", "ok", 4415),
        ("atlas_summary", "ok", 90),
    ]


def test_sources_without_a_product_filter_refuse_the_option(settings: Settings) -> None:
    with pytest.raises(TradewatchError, match="census-country does not take --all-products"):
        pipeline.ingest_source("census-country", settings, request=SourceRequest(all_products=True))


def test_from_file_recognises_each_layout(tmp_path: Path) -> None:
    cases = {
        "BACI_HS22_Y2022_V202601.csv": ("t,i,j,k,v,q\n", "release_year"),
        "baci_2022.csv": ("i,j,cmd,value\n", "atlas_extract"),
        "summary.csv": ("dataset,hs6,year\n", "atlas_summary"),
        "country_codes_V202601.csv": ("country_code,country_name\n", "country_codes"),
    }
    for name, (header, dataset) in cases.items():
        (tmp_path / name).write_text(header)
        (payload,) = baci.from_file(tmp_path / name)
        assert payload.dataset.name == dataset
    archive = tmp_path / "release.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr("x.csv", "")
    assert next(baci.from_file(archive)).dataset.name == "release"
    (tmp_path / "other.csv").write_text("a,b\n")
    with pytest.raises(ParseError, match=r"other\.csv, line 1"):
        next(baci.from_file(tmp_path / "other.csv"))


def test_a_country_table_cell_of_spaces_is_null_as_in_the_staged_release() -> None:
    payload = b"country_code,country_name,country_iso2,country_iso3\n58,Belgium-Luxembourg, ,BLX\n"
    frame = baci.parse_country_codes(payload, "country_codes_V202601.csv")[baci.COUNTRY_CODES.name]
    assert frame.row(0) == ("V202601", "58", "Belgium-Luxembourg", None, "BLX")


@pytest.mark.parametrize(
    "missing",
    ["NA", "", "          NA", "NA  "],
    ids=["bare NA", "empty", "NA padded before", "NA padded after"],
)
def test_a_missing_quantity_is_null_however_the_release_writes_it(
    settings: Settings, tmp_path: Path, missing: str
) -> None:
    path = tmp_path / "BACI_HS22_Y2024_V202601.csv"
    path.write_text(
        f"t,i,j,k,v,q\n2024,4,8,010121,1.5,{missing}\n2024,4,8,850511,2.25,   0.125\n"
        "2024,792,842,850511,3,7\n"
    )
    pipeline.ingest_source("baci", settings, file=path, request=SourceRequest(all_products=True))
    assert raw(settings, "select k, v, q from raw_baci.trade_flows order by k, v") == [
        ("010121", 1.5, None),
        ("850511", 2.25, 0.125),
        ("850511", 3.0, 7.0),
    ]


def test_a_quantity_that_is_not_a_number_fails_the_load_naming_it(
    settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "BACI_HS22_Y2024_V202601.csv"
    path.write_text("t,i,j,k,v,q\n2024,4,8,010121,1.5,   NA\n2024,4,8,850511,2.25,n/a\n")
    with pytest.raises(ParseError, match=r"BACI_HS22_Y2024_V202601\.csv.*n/a"):
        pipeline.ingest_source(
            "baci", settings, file=path, request=SourceRequest(all_products=True)
        )
    assert not table_exists(settings, baci.TRADE_FLOWS.name) or raw(
        settings, "select count(*) from raw_baci.trade_flows"
    ) == [(0,)]
