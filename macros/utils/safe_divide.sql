{#
    safe_divide(numerator, denominator) -> numerator / denominator as a double, NULL when the
    denominator is 0 or NULL. Every undefined rate of the project (no positives, no predicted
    positives, an empty group, no gold items) is NULL through this one place: macros and models
    call it rather than writing nullif divisions by hand.
#}
{% macro safe_divide(numerator, denominator) -%}
    (cast({{ numerator }} as double) / nullif(cast({{ denominator }} as double), 0))
{%- endmacro %}
