{# The calendar year a trailing-12-month total reaches the goal if it keeps growing at
   `rate_pct` a year: this month's year once it is there, null when the rate is zero or
   negative. #}
{% macro projected_goal_year(month_date, level_usd, goal_usd, rate_pct) -%}
    case
        when {{ level_usd }} >= {{ goal_usd }} then year({{ month_date }})
        when {{ rate_pct }} > 0
            -- months until the trailing total reaches the goal at that growth rate
            then year(
                {{ month_date }} + to_months(cast(ceil(
                    ln({{ goal_usd }} / {{ level_usd }}) / ln(1 + {{ rate_pct }} / 100) * 12
                ) as integer))
            )
    end
{%- endmacro %}
