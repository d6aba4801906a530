{#
    The EM's array helpers (macro latent_em_results). The EM keeps each item's judgements as one
    array of cell keys (cell_key names a project, annotator and observed label; the keys are
    dense, 1..n_cells), and a per-cell quantity (a confusion log-probability, a vote indicator)
    as one array indexed by cell_key. The E-step is then a lookup and a sum within each item's
    row, and the M-step one unnest grouped by cell: no join to the judgements and no group-by
    into millions of items per iteration (at 10M judgements an iteration took 1.4 s with the
    keyed join and group-by, 0.6 s with arrays). SQL arrays differ between engines, hence one
    dispatched macro per operation; DuckDB and Spark are the engines the project runs on.
#}

{# The default__ of every macro below: arrays are engine-specific, and only DuckDB and Spark are written. #}
{% macro latent_arrays_unsupported(name) %}
    {{- exceptions.raise_compiler_error(
        name ~ ' (the Dawid-Skene EM) is written for DuckDB and Spark, not for the ' ~ adapter.type() ~ ' adapter') }}
{% endmacro %}


{#
    latent_sorted_list(value, order_by) -> aggregate: the group's values of `value` as an array
    ordered by `order_by` (unique within the group), NULL values kept in place (a label the
    project does not have has a NULL log-probability; its slot must stay).
#}
{% macro latent_sorted_list(value, order_by) %}
    {{- return(adapter.dispatch('latent_sorted_list', 'labelhouse')(value, order_by)) }}
{% endmacro %}

{% macro default__latent_sorted_list(value, order_by) %}
    {{- latent_arrays_unsupported('latent_sorted_list') }}
{% endmacro %}

{% macro duckdb__latent_sorted_list(value, order_by) -%}
    list({{ value }} order by {{ order_by }})
{%- endmacro %}

{#- collect_list keeps no order and drops NULLs: collect (key, value) pairs, sort them by key, keep the values -#}
{% macro spark__latent_sorted_list(value, order_by) -%}
    transform(
        array_sort(collect_list(named_struct('sort_key', {{ order_by }}, 'value', {{ value }}))),
        entry -> entry.value
    )
{%- endmacro %}


{#
    latent_list(value) -> aggregate: the group's values of `value` (never NULL here) as an array,
    in no particular order (an item's cell keys: they are only unnested, or used to look values
    up that are then summed, so their order does not matter). Cheaper than
    latent_sorted_list over millions of groups: DuckDB's ordered aggregate sorts inside every
    group's state and ran out of memory at 10M judgements under the 1.5 GB limit.
#}
{% macro latent_list(value) %}
    {{- return(adapter.dispatch('latent_list', 'labelhouse')(value)) }}
{% endmacro %}

{% macro default__latent_list(value) %}
    {{- latent_arrays_unsupported('latent_list') }}
{% endmacro %}

{% macro duckdb__latent_list(value) -%}
    list({{ value }})
{%- endmacro %}

{% macro spark__latent_list(value) -%}
    collect_list({{ value }})
{%- endmacro %}


{#
    latent_list_lookup_sum(keys, values) -> sum over the elements k of the array `keys` of
    values[k] (1-based), the sum of a per-cell quantity over an item's cells. NULL when the
    looked-up values are NULL (every cell of an item belongs to one project, so for one label
    they are all NULL or none is).
#}
{% macro latent_list_lookup_sum(keys, values) %}
    {{- return(adapter.dispatch('latent_list_lookup_sum', 'labelhouse')(keys, values)) }}
{% endmacro %}

{% macro default__latent_list_lookup_sum(keys, values) %}
    {{- latent_arrays_unsupported('latent_list_lookup_sum') }}
{% endmacro %}

{% macro duckdb__latent_list_lookup_sum(keys, values) -%}
    list_sum(list_transform({{ keys }}, lambda lookup_key: {{ values }}[lookup_key]))
{%- endmacro %}

{% macro spark__latent_list_lookup_sum(keys, values) -%}
    aggregate(
        {{ keys }}, cast(0 as double), (total, lookup_key) -> total + element_at({{ values }}, lookup_key)
    )
{%- endmacro %}


{#
    latent_unnest(keys) -> a select item: one row per element of the array `keys`, the row's
    other select items repeated.
#}
{% macro latent_unnest(keys) %}
    {{- return(adapter.dispatch('latent_unnest', 'labelhouse')(keys)) }}
{% endmacro %}

{% macro default__latent_unnest(keys) %}
    {{- latent_arrays_unsupported('latent_unnest') }}
{% endmacro %}

{% macro duckdb__latent_unnest(keys) -%}
    unnest({{ keys }})
{%- endmacro %}

{% macro spark__latent_unnest(keys) -%}
    explode({{ keys }})
{%- endmacro %}
