with

source as (

    select * from {{ source('usatradeonline', 'trade_by_commodity') }}

),

renamed as (

    select
        ---------- ids
        commodity_code,
        ---------- strings
        country_name as partner_name,
        flow,
        valuation,
        state as state_name,
        commodity_system,
        commodity as commodity_label,
        commodity_name,
        period,
        measure,
        report_title,
        vintage,
        source_file,
        ---------- numerics
        year,
        through_month,
        value_usd,
        file_row,
        ---------- booleans
        is_partial_period,
        commodity_code is null as is_all_commodities,
        country_name = 'World Total' as is_world,
        ---------- dates
        cast(vintage as date) as downloaded_date,
        ---------- metadata
        load_id,
        loaded_at
    from source

)

select * from renamed
