{#
    expand_integers(max_expr) -> a select-list expression that turns each row into
    max_expr + 1 rows carrying k = 0, 1, ..., max_expr (a per-row series, used to sum the
    terms of a binomial tail). max_expr is a non-negative integer expression.
#}
{% macro expand_integers(max_expr) %}
    {{ return(adapter.dispatch('expand_integers', 'labelhouse')(max_expr)) }}
{% endmacro %}

{% macro duckdb__expand_integers(max_expr) -%}
    unnest(range(0, cast({{ max_expr }} as bigint) + 1))
{%- endmacro %}

{% macro default__expand_integers(max_expr) -%}
    explode(sequence(0, cast({{ max_expr }} as bigint)))
{%- endmacro %}
