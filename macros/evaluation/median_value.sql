{#
    median_value(expr) -> an aggregate: the median of expr, the mean of the two middle values
    when the count is even (numpy.median). NULLs are ignored.
#}
{% macro median_value(expr) %}
    {{ return(adapter.dispatch('median_value', 'labelhouse')(expr)) }}
{% endmacro %}

{% macro duckdb__median_value(expr) -%}
    quantile_cont({{ expr }}, 0.5)
{%- endmacro %}

{% macro spark__median_value(expr) -%}
    percentile({{ expr }}, 0.5)
{%- endmacro %}

{% macro default__median_value(expr) -%}
    percentile_cont(0.5) within group (order by {{ expr }})
{%- endmacro %}
