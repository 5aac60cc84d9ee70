{% test unique_combination(model, columns) %}
-- the grain: no two rows share these columns (nulls compare equal)
select
    {{ columns | join(', ') }},
    count(*) as row_count
from {{ model }}
group by all
having count(*) > 1
{% endtest %}
