with

facts as (

    select * from {{ ref('stg_beylikova__facts') }}

),

final as (

    select
        fact_id,
        subject,
        attribute,
        value_text,
        unit,
        as_of_or_event_date,
        claimant,
        confidence_note,
        source_name,
        source_urls,
        trim(split_part(source_urls, ' ; ', 1)) as primary_source_url,
        len(string_split(source_urls, ' ; ')) as source_url_count,
        source_published
    from facts

)

select * from final
order by fact_id
