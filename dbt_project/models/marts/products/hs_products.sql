with

hs_codes as (

    select * from {{ ref('stg_reference__hs_codes') }}

),

hs_sections as (

    select * from {{ ref('stg_reference__hs_sections') }}

),

products as (

    select * from hs_codes
    where not is_total

),

chapters as (

    select
        hs_nomenclature,
        hs_code as chapter_code,
        hs_description as chapter_description
    from products
    where hs_level = 2

),

headings as (

    select
        hs_nomenclature,
        hs_code as heading_code,
        hs_description as heading_description
    from products
    where hs_level = 4

),

final as (

    select
        products.hs_code,
        products.hs_nomenclature,
        products.hs_level,
        products.hs_description,
        products.parent_hs_code,
        chapters.chapter_code,
        chapters.chapter_description,
        headings.heading_code,
        headings.heading_description,
        products.hs_section,
        hs_sections.hs_section_name,
        -- Comtrade's chapter 99: confidential or unclassified trade, no HS section
        products.hs_section is null as is_not_specified_by_kind
    from products
    left join chapters
        on
            products.hs_nomenclature = chapters.hs_nomenclature
            and left(products.hs_code, 2) = chapters.chapter_code
    left join headings
        on
            products.hs_nomenclature = headings.hs_nomenclature
            and products.hs_level >= 4
            and left(products.hs_code, 4) = headings.heading_code
    left join hs_sections
        on
            products.hs_nomenclature = hs_sections.hs_nomenclature
            and products.hs_section = hs_sections.hs_section

)

select * from final
order by hs_code
