{#
    expression_is_true: every row satisfies `expression` (rows where it is false are returned).
    Rows where the expression is NULL pass: add a not_null test for that.
#}
{% test expression_is_true(model, expression) %}

select *
from {{ model }}
where not ({{ expression }})

{% endtest %}
