{# One row per vintage, year and flow of `relation` (monthly rows in `month_date`): only
   years with all twelve months, and of those the newest retrieval (highest `vintage`) of
   each year and flow. `measures` maps output column names to aggregate expressions. #}
{% macro newest_complete_years(relation, measures={}) -%}
    select
        vintage,
        year(month_date) as year,
        flow
        {%- for name, expression in measures.items() %},
        {{ expression }} as {{ name }}
        {%- endfor %}
    from {{ relation }}
    group by vintage, year(month_date), flow
    having count(distinct month_date) = 12
    qualify row_number() over (
        partition by year(month_date), flow
        order by vintage desc
    ) = 1
{%- endmacro %}
