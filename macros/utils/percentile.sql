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


{#
    percentile_from_ranks(value, value_rank, n_values, fraction) -> an aggregate expression: the
    same continuous percentile as percentile_cont (numpy's 'linear': with h = (n - 1) * fraction,
    x[floor(h)] + (h - floor(h)) * (x[ceil(h)] - x[floor(h)]), 0-based order statistics), from
    rows that carry their value's 1-based rank within the group (`value_rank`, NULLs ranked
    last) and the group's count of non-NULL values (`n_values`); NULL when n_values = 0.

    For large inputs: percentile_cont is a holistic aggregate whose per-group state (every value)
    cannot spill to disk, so at 30M judgements it ran out of memory under the 1.5 GB limit; the
    ranks come from a window, which sorts out of core, and this aggregate keeps two numbers.
#}
{% macro percentile_from_ranks(value, value_rank, n_values, fraction) -%}
    {#- h on each row (n_values is constant within the group) and for the group #}
    {%- set h_row = '((' ~ n_values ~ ' - 1) * ' ~ fraction ~ ')' -%}
    {%- set h = '((max(' ~ n_values ~ ') - 1) * ' ~ fraction ~ ')' -%}
    {%- set lower = 'max(case when ' ~ value_rank ~ ' = floor(' ~ h_row ~ ') + 1 then ' ~ value ~ ' end)' -%}
    {%- set upper = 'max(case when ' ~ value_rank ~ ' = ceil(' ~ h_row ~ ') + 1 then ' ~ value ~ ' end)' -%}
    ({{ lower }} + ({{ h }} - floor({{ h }})) * ({{ upper }} - {{ lower }}))
{%- endmacro %}
