{#
    safe_divide(numerator, denominator) -> numerator / denominator as a double, NULL when the
    denominator is 0 or NULL. Every undefined rate in the evaluation marts (no positives, no
    predicted positives, an empty group) is NULL through this one place.
#}
{% macro safe_divide(numerator, denominator) -%}
    (cast({{ numerator }} as double) / nullif(cast({{ denominator }} as double), 0))
{%- endmacro %}
