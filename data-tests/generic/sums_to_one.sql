{#
    sums_to_one: within each group (group_by columns), the column sums to 1 (a probability
    distribution), to within tolerance (default 1e-9). Returns the groups that do not.
#}
{% test sums_to_one(model, group_by, column, tolerance=1e-9) %}

select
    {{ group_by | join(', ') }},
    sum({{ column }}) as total
from {{ model }}
group by {{ group_by | join(', ') }}
having abs(sum({{ column }}) - 1) > {{ tolerance }}

{% endtest %}
