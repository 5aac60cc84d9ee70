{# `left.key = right.key and …` for every key: the join condition of two relations at one grain #}
{% macro keys_match(left, right, keys) -%}
    {%- for key in keys -%}
        {{ ' and ' if not loop.first }}{{ left }}.{{ key }} = {{ right }}.{{ key }}
    {%- endfor -%}
{%- endmacro %}
