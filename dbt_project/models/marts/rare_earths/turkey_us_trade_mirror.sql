-- Each direction of U.S.-Türkiye goods trade as both customs administrations report it.
-- Gap = importer's report minus exporter's report, in percent of the exporter's report
-- (c.i.f. imports normally exceed f.o.b./f.a.s. exports). The U.S. side is Census (complete
-- years); Türkiye's side is its own report to UN Comtrade where fetched, else the secondary
-- press figures citing TurkStat, flagged as such.
with

census_annual as (

    select * from {{ ref('us_turkey_trade_annual') }}
    where is_complete_year

),

comtrade_records as (

    select * from {{ ref('int_comtrade_records_deduplicated') }}
    where cmd_code = 'TOTAL' and freq_code = 'A'

),

press_figures as (

    select * from {{ ref('stg_turkstat__turkey_usa_annual') }}

),

comtrade_turkish_side as (

    select
        year,
        sum(value_usd) filter (where flow = 'export') as turkey_exports_to_us_usd,
        sum(value_usd) filter (where flow = 'import') as turkey_imports_from_us_usd,
        max(vintage) as vintage
    from comtrade_records
    where reporter_iso3 = 'TUR' and partner_iso3 = 'USA'
    group by year

),

comtrade_us_side as (

    select
        year,
        sum(value_usd) filter (where flow = 'export') as us_exports_to_tur_usd,
        sum(value_usd) filter (where flow = 'import') as us_imports_from_tur_usd
    from comtrade_records
    where reporter_iso3 = 'USA' and partner_iso3 = 'TUR'
    group by year

),

turkish_years as (

    select year from comtrade_turkish_side
    union
    select year from press_figures

),

turkish_side as (

    select
        turkish_years.year,
        coalesce(
            comtrade_turkish_side.turkey_exports_to_us_usd,
            press_figures.turkey_exports_to_usa_usd
        ) as turkey_exports_to_us_usd,
        coalesce(
            comtrade_turkish_side.turkey_imports_from_us_usd,
            press_figures.turkey_imports_from_usa_usd
        ) as turkey_imports_from_us_usd,
        case
            when comtrade_turkish_side.turkey_exports_to_us_usd is not null then 'comtrade'
            when press_figures.turkey_exports_to_usa_usd is not null then 'turkstat_press'
        end as turkey_exports_source,
        case
            when comtrade_turkish_side.turkey_imports_from_us_usd is not null then 'comtrade'
            when press_figures.turkey_imports_from_usa_usd is not null then 'turkstat_press'
        end as turkey_imports_source,
        comtrade_turkish_side.vintage as comtrade_vintage,
        press_figures.source_url as press_source_url,
        press_figures.note as press_note
    from turkish_years
    left join comtrade_turkish_side on turkish_years.year = comtrade_turkish_side.year
    left join press_figures on turkish_years.year = press_figures.year

),

final as (

    select
        turkish_side.year,
        -- goods going to Türkiye
        census_annual.us_exports_usd as us_exports_to_tur_usd,
        turkish_side.turkey_imports_from_us_usd as tur_imports_from_us_usd,
        turkish_side.turkey_imports_from_us_usd - census_annual.us_exports_usd
            as to_turkey_gap_usd,
        round(
            (turkish_side.turkey_imports_from_us_usd - census_annual.us_exports_usd)
            / nullif(census_annual.us_exports_usd, 0) * 100,
            4
        ) as to_turkey_gap_pct,
        -- goods going to the United States
        census_annual.us_imports_usd as us_imports_from_tur_usd,
        turkish_side.turkey_exports_to_us_usd as tur_exports_to_us_usd,
        census_annual.us_imports_usd - turkish_side.turkey_exports_to_us_usd
            as to_us_gap_usd,
        round(
            (census_annual.us_imports_usd - turkish_side.turkey_exports_to_us_usd)
            / nullif(turkish_side.turkey_exports_to_us_usd, 0) * 100,
            4
        ) as to_us_gap_pct,
        -- where each figure comes from
        case when census_annual.year is not null then 'census' end as us_side_source,
        turkish_side.turkey_exports_source,
        turkish_side.turkey_imports_source,
        coalesce(
            'turkstat_press' in (
                turkish_side.turkey_exports_source, turkish_side.turkey_imports_source
            ),
            false
        ) as is_turkish_side_secondary,
        turkish_side.press_source_url,
        turkish_side.press_note,
        census_annual.vintage as census_vintage,
        turkish_side.comtrade_vintage,
        -- the U.S. report to UN Comtrade, to set beside Census where fetched
        comtrade_us_side.us_exports_to_tur_usd as us_exports_to_tur_comtrade_usd,
        comtrade_us_side.us_imports_from_tur_usd as us_imports_from_tur_comtrade_usd
    from turkish_side
    left join census_annual on turkish_side.year = census_annual.year
    left join comtrade_us_side on turkish_side.year = comtrade_us_side.year

)

select * from final
order by year
