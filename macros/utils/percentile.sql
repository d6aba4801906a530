{#
    percentile_cont(expr, fraction) -> the continuous percentile of expr within the group
    (linear interpolation between order statistics, as numpy.percentile's default 'linear'
    method). Aggregate function; NULLs are ignored.
#}
{% macro percentile_cont(expr, fraction) %}
    {{ return(adapter.dispatch('percentile_cont', 'labelhouse')(expr, fraction)) }}
{% endmacro %}

{% macro default__percentile_cont(expr, fraction) -%}
    percentile_cont({{ fraction }}) within group (order by {{ expr }})
{%- endmacro %}

{% macro duckdb__percentile_cont(expr, fraction) -%}
    quantile_cont({{ expr }}, {{ fraction }})
{%- endmacro %}

{% macro spark__percentile_cont(expr, fraction) -%}
    percentile({{ expr }}, {{ fraction }})
{%- endmacro %}
