{% test matches_pattern(model, column_name, pattern) %}
-- rows whose value does not match the regular expression (RE2, full match); nulls pass
select {{ column_name }}
from {{ model }}
where
    {{ column_name }} is not null
    and not regexp_full_match({{ column_name }}, '{{ pattern }}')
{% endtest %}
