{#
    partition_fingerprint(columns) -> an aggregate expression: an order-independent fingerprint of
    the multiset of `columns` values in a group (the sum of a 64-bit hash of each row's values).

    An incremental model stores the fingerprint of each partition's input next to its output and,
    in the next build, recomputes exactly the partitions whose input fingerprint changed (late
    rows, superseded or re-exported rows, moved rows), wherever they are in time: no look-back
    window can miss a late row. Two different inputs give the same fingerprint with probability
    about 2^-64 per changed partition. The sum is exact (DuckDB sums UBIGINT into HUGEINT).
#}
{% macro partition_fingerprint(columns) %}
    {{ return(adapter.dispatch('partition_fingerprint', 'labelhouse')(columns)) }}
{% endmacro %}

{% macro default__partition_fingerprint(columns) -%}
    sum(cast(hash({{ columns | join(', ') }}) as decimal(38, 0)))
{%- endmacro %}

{#- the 64-bit hash itself is key_hash's (below): one home for each engine's hash function #}
{% macro duckdb__partition_fingerprint(columns) -%}
    sum({{ labelhouse.key_hash(columns) }})
{%- endmacro %}

{% macro spark__partition_fingerprint(columns) -%}
    sum(cast({{ labelhouse.key_hash(columns) }} as decimal(38, 0)))
{%- endmacro %}


{#
    incremental_materialization() -> 'incremental' where the models' delete+insert strategy is
    available (DuckDB), else 'table' (dbt-spark's delete+insert/merge needs Delta or Iceberg
    tables): the same SQL builds every table in full there.
#}
{% macro incremental_materialization() %}
    {{ return('incremental' if target.type == 'duckdb' else 'table') }}
{% endmacro %}


{#
    not_materialized() -> the CTE modifier that stops DuckDB from materialising a CTE that the
    query references more than once ("name as {{ not_materialized() }}(...)"). DuckDB otherwise
    buffers such a CTE's rows: for a 10M-row staging CTE that doubled the build's peak memory
    and made it slower than scanning the source twice (measured on base_raw__annotations at 10M:
    42 s and 8.8 GB materialised, 29 s and 4.7 GB not). Other engines inline CTEs: empty there.
#}
{% macro not_materialized() %}
    {{ return(adapter.dispatch('not_materialized', 'labelhouse')()) }}
{% endmacro %}

{% macro default__not_materialized() %}{{ return('') }}{% endmacro %}

{% macro duckdb__not_materialized() %}{{ return('not materialized ') }}{% endmacro %}


{#
    key_hash(columns) -> a 64-bit hash of the values of `columns` (SQL expressions): a narrow
    key for finding the repeats of a wide (text) key in one pass over millions of rows.

    Used only to pick candidates: rows whose key hash occurs more than once go through the exact
    ranking by the real key, so a collision (two keys, one hash) only sends a row of a unique
    key through that path, where it ranks first, as it would anyway. No result depends on it.
#}
{% macro key_hash(columns) %}
    {{ return(adapter.dispatch('key_hash', 'labelhouse')(columns)) }}
{% endmacro %}

{% macro default__key_hash(columns) -%}
    md5(concat({% for c in columns %}coalesce(cast({{ c }} as {{ dbt.type_string() }}), ''){{ ", '|', " if not loop.last }}{% endfor %}))
{%- endmacro %}

{% macro duckdb__key_hash(columns) -%}
    hash({{ columns | join(', ') }})
{%- endmacro %}

{% macro spark__key_hash(columns) -%}
    xxhash64({{ columns | join(', ') }})
{%- endmacro %}
