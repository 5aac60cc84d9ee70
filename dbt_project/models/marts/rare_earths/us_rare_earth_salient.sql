with

salient as (

    select * from {{ ref('stg_usgs_mcs__salient_statistics') }}

),

final as (

    select
        edition,
        edition_year,
        year,
        metric,
        case
            when metric like 'production_%' then 'production'
            when metric like 'imports_%' then 'imports'
            when metric like 'exports_%' then 'exports'
            when metric like 'apparent_consumption_%' then 'consumption'
            when metric like 'price_%' then 'price'
            when metric like 'employment_%' then 'employment'
            when metric like 'net_import_reliance_%' then 'net_import_reliance'
            when metric like 'value_%' then 'value'
        end as metric_group,
        unit,
        metric_value,
        value_bound,
        value_as_published,
        value_flag,
        is_estimate,
        value_flag = 'net_exporter' as is_net_exporter,
        row_number() over (
            partition by metric, year order by edition_year desc
        ) = 1 as is_newest_edition,
        published_field,
        note,
        source_document,
        source_url
    from salient

)

select * from final
order by metric, year, edition
