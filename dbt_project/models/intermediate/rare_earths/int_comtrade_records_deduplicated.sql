-- Comtrade totals as each reporter published them, newest pull first. Only records pinned
-- to the totals of every breakdown (partner2 0, all customs procedures, all transport
-- modes) are kept: breakdown rows double count when summed. Re-imports and re-exports
-- (RM, RX) stay in staging.
with

records as (

    select * from {{ ref('stg_comtrade__records') }}

),

exceptions as (

    select * from {{ ref('comtrade_area_code_exceptions') }}

),

countries as (

    select * from {{ ref('stg_reference__countries') }}

),

totals as (

    select *
    from records
    where
        layout = 'api'
        and partner2_code = '0'
        and customs_code = 'C00'
        and mot_code = '0'
        and flow_code in ('M', 'X')

),

newest as (

    select *
    from totals
    qualify row_number() over (
        partition by
            freq_code, period, reporter_code, flow_code, partner_code, partner2_code,
            cmd_code, customs_code, mot_code, classification_code
        order by loaded_at desc, vintage desc
    ) = 1

),

mapped as (

    -- Comtrade codes are M49 except the listed ones (842 is the USA, 0 the World)
    select
        newest.*,
        coalesce(
            reporter_exceptions.iso3,
            nullif(newest.reporter_iso, 'W00'),
            reporter_countries.country_iso3
        ) as reporter_iso3,
        coalesce(
            partner_exceptions.iso3,
            nullif(newest.partner_iso, 'W00'),
            partner_countries.country_iso3
        ) as partner_iso3
    from newest
    left join exceptions as reporter_exceptions
        on newest.reporter_code = reporter_exceptions.comtrade_code
    left join exceptions as partner_exceptions
        on newest.partner_code = partner_exceptions.comtrade_code
    left join countries as reporter_countries
        on lpad(newest.reporter_code, 3, '0') = reporter_countries.country_m49
    left join countries as partner_countries
        on lpad(newest.partner_code, 3, '0') = partner_countries.country_m49

),

final as (

    select
        freq_code,
        period,
        year,
        month,
        reporter_code,
        reporter_iso3,
        partner_code,
        partner_iso3,
        case flow_code when 'M' then 'import' when 'X' then 'export' end as flow,
        cmd_code,
        case when regexp_full_match(cmd_code, '\d{6}') then cmd_code end as hs6,
        classification_code,
        value_usd,
        -- primaryValue is c.i.f. for most imports and f.o.b. for exports; say which it was
        case
            when flow_code = 'M' and cif_value is not null and primary_value = cif_value
                then 'CIF'
            when fob_value is not null and primary_value = fob_value then 'FOB'
            when flow_code = 'M' then 'CIF'
            else 'FOB'
        end as valuation,
        net_weight_kg,
        quantity,
        qty_unit_abbr as quantity_unit,
        is_reported,
        is_aggregate,
        vintage,
        loaded_at
    from mapped

)

select * from final
