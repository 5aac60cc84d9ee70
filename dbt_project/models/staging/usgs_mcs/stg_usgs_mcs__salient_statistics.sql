with

source as (

    select * from {{ source('usgs_mcs', 'us_salient') }}

),

renamed as (

    select
        ---------- ids
        edition,
        metric,
        ---------- strings
        commodity,
        case when unit = 'USD million' then 'USD' else unit end as unit,
        value_as_published,
        value_flag,
        published_field,
        note,
        source_document,
        source_url,
        ---------- numerics
        cast(right(edition, 4) as integer) as edition_year,
        year,
        -- money in whole USD; tonnes, USD/kg, counts and percentages as published
        case when unit = 'USD million' then value * 1000000 else value end as metric_value,
        case
            when unit = 'USD million' then value_bound * 1000000 else value_bound
        end as value_bound,
        source_row,
        ---------- booleans
        is_estimate,
        ---------- metadata
        load_id,
        loaded_at
    from source

)

select * from renamed
