"""The rare-earth supply marts after one offline `tradewatch build` (session fixture)."""

from __future__ import annotations

import duckdb
import pytest

from ingest.settings import Settings


def query(settings: Settings, sql: str, *params: object) -> list[tuple[object, ...]]:
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def test_world_and_china_production_in_mcs2025(built_warehouse: Settings) -> None:
    found = query(
        built_warehouse,
        """
        select country_name, country_iso3, mine_production_t_reo, mine_production_as_published,
               round(share_of_world_production_pct, 2), is_estimate
        from marts.rare_earth_supply
        where edition = 'MCS2025' and year = 2024 and country_name in ('World', 'China')
        order by country_name""",
    )
    assert found == [
        ("China", "CHN", 270_000, "270,000", 69.23, True),
        ("World", None, 390_000, "390,000", 100.0, True),
    ]


def test_each_edition_keeps_its_own_figure_for_a_revised_year(built_warehouse: Settings) -> None:
    found = query(
        built_warehouse,
        """
        select edition, mine_production_t_reo from marts.rare_earth_supply
        where country_iso3 = 'CHN' and year = 2023 order by edition""",
    )
    assert found == [("MCS2024", 240_000), ("MCS2025", 255_000)]
    latest = query(
        built_warehouse,
        """
        select edition, mine_production_t_reo from marts.rare_earth_supply_latest
        where country_iso3 = 'CHN' order by year""",
    )
    assert latest == [
        ("MCS2022", 140_000),
        ("MCS2023", 168_000),
        ("MCS2024", 210_000),
        ("MCS2025", 255_000),
        ("MCS2025", 270_000),
    ]


def test_every_country_row_maps_to_iso3(built_warehouse: Settings) -> None:
    unmapped = query(
        built_warehouse,
        """
        select distinct country_name_as_published from marts.rare_earth_supply
        where area_kind = 'country' and country_iso3 is null""",
    )
    assert unmapped == []
    spelled = dict(
        query(
            built_warehouse,
            """
        select distinct country_name_as_published, country_iso3 from marts.rare_earth_supply
        where country_name_as_published in ('Burma', 'United States', 'Vietnam', 'Russia')""",
        )
    )
    assert spelled == {"Burma": "MMR", "United States": "USA", "Vietnam": "VNM", "Russia": "RUS"}
    kinds = query(
        built_warehouse,
        """
        select distinct country_name_as_published, country_name, area_kind
        from marts.rare_earth_supply where area_kind != 'country' order by 1""",
    )
    assert kinds == [
        ("Other", "Other countries", "other"),
        ("Other countries", "Other countries", "other"),
        ("World total (rounded)", "World", "world"),
    ]


def test_reserves_sit_on_the_latest_year_of_each_edition(built_warehouse: Settings) -> None:
    found = query(
        built_warehouse,
        """
        select edition, year, reserves_t_reo, reserves_as_published, reserves_bound_t_reo
        from marts.rare_earth_supply
        where country_name = 'World' and reserves_as_published is not null order by edition""",
    )
    assert found == [
        ("MCS2023", 2022, 130_000_000, "130000000", None),
        ("MCS2024", 2023, 110_000_000, "110000000", None),
        ("MCS2025", 2024, None, ">90,000,000", 90_000_000),
    ]


def test_the_2022_to_2024_editions_come_from_the_usgs_release_files(
    built_warehouse: Settings,
) -> None:
    found = query(
        built_warehouse,
        """
        select edition, bool_and(source_document like '%data release%')
        from marts.rare_earth_supply group by edition order by edition""",
    )
    assert found == [("MCS2022", True), ("MCS2023", True), ("MCS2024", True), ("MCS2025", False)]


@pytest.mark.parametrize(
    ("edition", "year", "metric", "expected"),
    [
        ("MCS2025", 2024, "net_import_reliance_compounds_and_metals", (80, None, "80", None)),
        (
            "MCS2025",
            2022,
            "net_import_reliance_compounds_and_metals",
            (None, 95, ">95", "greater_than"),
        ),
        (
            "MCS2022",
            2017,
            "net_import_reliance_mineral_concentrates",
            (None, None, "XX", "not_applicable"),
        ),
        (
            "MCS2024",
            2021,
            "apparent_consumption_compounds_and_metals",
            (7_900, None, "7,900", None),
        ),
        (
            "MCS2025",
            2024,
            "value_mineral_concentrates_produced",
            (260_000_000, None, "$260 million", None),
        ),
    ],
)
def test_us_salient_keeps_text_beside_numbers(
    built_warehouse: Settings, edition: str, year: int, metric: str, expected: tuple[object, ...]
) -> None:
    found = query(
        built_warehouse,
        """
        select metric_value, value_bound, value_as_published, value_flag
        from marts.us_rare_earth_salient where edition = ? and year = ? and metric = ?""",
        edition,
        year,
        metric,
    )
    assert found == [expected]


def test_us_salient_flags_the_newest_edition(built_warehouse: Settings) -> None:
    found = query(
        built_warehouse,
        """
        select edition, metric_value, is_newest_edition from marts.us_rare_earth_salient
        where metric = 'production_mineral_concentrates' and year = 2022 order by edition""",
    )
    assert found == [
        ("MCS2023", 43_000, False),
        ("MCS2024", 42_000, False),
        ("MCS2025", 42_500, True),
    ]


def test_turkey_facts_keep_claimant_and_confidence(built_warehouse: Settings) -> None:
    found = query(
        built_warehouse,
        """
        select count(*), count(distinct claimant), count(confidence_note)
        from marts.turkey_rare_earth_facts""",
    )
    assert found == [(20, 14, 15)]  # counted in the source file
    (fact,) = query(
        built_warehouse,
        """
        select value_text, unit, claimant, primary_source_url, source_url_count
        from marts.turkey_rare_earth_facts where fact_id = 'TR-REE-10'""",
    )
    assert fact[:3] == ("10000", "tonnes REO per year", "Eti Maden / Ministry")
    assert fact[3].startswith("https://dailysabah.com/") and fact[4] == 3


def test_hs_products_name_chapter_heading_and_section(built_warehouse: Settings) -> None:
    found = query(
        built_warehouse,
        """
        select hs_code, hs_level, chapter_code, heading_code, hs_section, hs_section_name
        from marts.hs_products where hs_code in ('850511', '2846', '28', '999999')
        order by hs_code""",
    )
    assert [row[:5] for row in found] == [
        ("28", 2, "28", None, "VI"),
        ("2846", 4, "28", "2846", "VI"),
        ("850511", 6, "85", "8505", "XVI"),
        ("999999", 6, "99", "9999", None),
    ]
    assert found[2][5].startswith("Machinery and mechanical appliances")
    levels = query(
        built_warehouse, "select hs_level, count(*) from marts.hs_products group by 1 order by 1"
    )
    assert levels == [(2, 97), (4, 1229), (6, 5613)]
