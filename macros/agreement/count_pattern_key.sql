{#
    count_pattern_key(value_expr, count_expr) -> aggregate: a unit's exact count pattern as one
    string key, equal for two units exactly when they hold the same values with the same counts.
    Each cell is "<characters of the value>:<value>:<count>" and the cells are sorted and joined
    by commas (sorted_string_agg). The length prefix (length(): characters on DuckDB and Spark)
    makes the key unambiguous whatever the value holds: without it the label "x:1,y" counted
    twice ("x:1,y:2") and the labels x (once) and y (twice) ("x:1,y:2") would be one pattern.
    A key, not for display.
#}
{% macro count_pattern_key(value_expr, count_expr) -%}
    {%- set value_text = 'cast(' ~ value_expr ~ ' as ' ~ dbt.type_string() ~ ')' -%}
    {{ sorted_string_agg(dbt.concat([
        'cast(length(' ~ value_text ~ ') as ' ~ dbt.type_string() ~ ')', "':'",
        value_text, "':'",
        'cast(' ~ count_expr ~ ' as ' ~ dbt.type_string() ~ ')'])) }}
{%- endmacro %}
