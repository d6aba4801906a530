{#
    sorted_string_agg(expr, delimiter="','") -> aggregate: the group's values of the string expr
    sorted and joined by delimiter, so that equal multisets of values give equal strings (used
    as an exact key for a unit's count pattern). Spark's collect_list keeps no order, so it is
    sorted with array_sort; DuckDB and the default sort inside the aggregate.
#}
{% macro sorted_string_agg(expr, delimiter="','") %}
    {{ return(adapter.dispatch('sorted_string_agg', 'labelhouse')(expr, delimiter)) }}
{% endmacro %}

{% macro default__sorted_string_agg(expr, delimiter) -%}
    listagg({{ expr }}, {{ delimiter }}) within group (order by {{ expr }})
{%- endmacro %}

{% macro duckdb__sorted_string_agg(expr, delimiter) -%}
    string_agg({{ expr }}, {{ delimiter }} order by {{ expr }})
{%- endmacro %}

{% macro spark__sorted_string_agg(expr, delimiter) -%}
    array_join(array_sort(collect_list({{ expr }})), {{ delimiter }})
{%- endmacro %}
