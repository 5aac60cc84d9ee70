with

source as (

    select * from {{ source('reference', 'rare_earth_hs_basket') }}

),

renamed as (

    -- the seed's column names, kept: the rare-earth models join on hs6 and read stage,
    -- mart_group, specificity and in_stage_total under these names
    select
        ---------- ids
        hs6,
        ---------- strings
        hs6_description_hs2022,
        stage,
        mart_group,
        tier,
        specificity,
        scope_note,
        who_uses_it,
        source_url,
        description_source_url,
        ---------- booleans
        in_stage_total
    from source

)

select * from renamed
