{#
    epoch_seconds_between(start_expr, end_expr) -> seconds from start to end as a double
    (fractional seconds kept); NULL when either end is NULL.
#}
{% macro epoch_seconds_between(start_expr, end_expr) %}
    {{ return(adapter.dispatch('epoch_seconds_between', 'labelhouse')(start_expr, end_expr)) }}
{% endmacro %}

{% macro default__epoch_seconds_between(start_expr, end_expr) -%}
    (extract(epoch from {{ end_expr }}) - extract(epoch from {{ start_expr }}))
{%- endmacro %}

{# Whole microseconds first, so a handle time of 47.569 s is exactly 47.569 (epoch() is a double). #}
{% macro duckdb__epoch_seconds_between(start_expr, end_expr) -%}
    ((epoch_us({{ end_expr }}) - epoch_us({{ start_expr }})) / 1e6)
{%- endmacro %}

{% macro spark__epoch_seconds_between(start_expr, end_expr) -%}
    (unix_micros({{ end_expr }}) - unix_micros({{ start_expr }})) / 1e6
{%- endmacro %}


{#
    date_spine_days(start_expr, end_expr) -> a FROM-able relation with one column `day`, every
    date from start to end inclusive. Both arguments are SQL date expressions (scalar subqueries
    are fine).
#}
{% macro date_spine_days(start_expr, end_expr) %}
    {{ return(adapter.dispatch('date_spine_days', 'labelhouse')(start_expr, end_expr)) }}
{% endmacro %}

{% macro duckdb__date_spine_days(start_expr, end_expr) -%}
    (
        select cast(generated.day as date) as day
        from generate_series(
            cast({{ start_expr }} as timestamp), cast({{ end_expr }} as timestamp), interval 1 day
        ) as generated (day)
    )
{%- endmacro %}

{% macro spark__date_spine_days(start_expr, end_expr) -%}
    (select explode(sequence(cast({{ start_expr }} as date), cast({{ end_expr }} as date))) as day)
{%- endmacro %}


{#
    add_days(date_expr, days) -> the date `days` days after date_expr (negative: before), as a
    date. dbt's cross-engine dateadd repeats its argument several times on Spark (with not-null
    assertions), so nested calls grow the plan geometrically; this one states it once.
#}
{% macro add_days(date_expr, days) %}
    {{ return(adapter.dispatch('add_days', 'labelhouse')(date_expr, days)) }}
{% endmacro %}

{% macro default__add_days(date_expr, days) -%}
    cast(cast({{ date_expr }} as date) + cast({{ days }} as integer) as date)
{%- endmacro %}

{% macro spark__add_days(date_expr, days) -%}
    date_add(cast({{ date_expr }} as date), cast({{ days }} as int))
{%- endmacro %}
