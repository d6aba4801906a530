{#
    between: the column's non-NULL values lie in [min_value, max_value] (either bound optional).
#}
{% test between(model, column_name, min_value=none, max_value=none) %}
{%- set lower = min_value if min_value is not none else 'null' %}
{%- set upper = max_value if max_value is not none else 'null' %}

select {{ column_name }}
from {{ model }}
where
    {{ column_name }} < coalesce({{ lower }}, {{ column_name }})
    or {{ column_name }} > coalesce({{ upper }}, {{ column_name }})

{% endtest %}
