{% test contributions_add_up_to_the_total_change(model) %}
-- per year and product basis: the products' changes add up to the change in the published
-- totals to the dollar, and their contributions to the total change in percent (to 1e-9
-- percentage points, the floating-point noise of a sum of quotients)
select
    year,
    product_basis,
    sum(change_usd) as changes_usd,
    any_value(total_change_usd) as total_change_usd,
    sum(contribution_pp) as contributions_pp,
    any_value(total_change_pct) as total_change_pct
from {{ model }}
group by year, product_basis
having
    sum(change_usd) != any_value(total_change_usd)
    or abs(sum(contribution_pp) - any_value(total_change_pct)) > 1e-9
    or count(distinct total_change_usd) != 1
{% endtest %}
