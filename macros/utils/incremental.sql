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

{#
    rederived_rows(keys, landed='landed') -> three CTEs of an incremental staging model, after its
    own `new_files` (unseen_files) and `rechecked_keys` (the keys whose rows the current reference
    exports may judge otherwise): new_keys (the keys occurring in an unseen file), affected_keys
    (those and the rechecked ones, NULL keys left out) and raw_rows (every landed row in an unseen
    file or of an affected key). The one statement of which rows an incremental build re-derives:
    a row's status depends only on the other rows of its key and on the reference exports, so
    re-deriving these rows gives exactly what a full refresh would. `keys` is a list of
    [column, expression on `landed`] pairs, the expression cleaning the raw value as the model
    types it.
#}
{% macro rederived_rows(keys, landed='landed') -%}
    {%- set names = keys | map('first') | list %}
    new_keys as (
        select
            {%- for key in keys %}
                {{ key[1] }} as {{ key[0] }}{{ ',' if not loop.last }}
            {%- endfor %}
        from {{ landed }}
        inner join new_files on {{ landed }}.source_file = new_files.source_file
    ),

    affected_keys as (
        {%- for branch in ['new_keys', 'rechecked_keys'] %}
            select {{ names | join(', ') }}
            from {{ branch }}
            where {% for name in names %}{{ name }} is not null{{ ' and ' if not loop.last }}{% endfor %}
            {%- if not loop.last %}
                union
            {%- endif %}
        {%- endfor %}
    ),

    raw_rows as (
        select {{ landed }}.*
        from {{ landed }}
        left join new_files on {{ landed }}.source_file = new_files.source_file
        left join affected_keys
            on
                {%- for key in keys %}
                    {{ 'and ' if not loop.first }}{{ key[1] }} = affected_keys.{{ key[0] }}
                {%- endfor %}
        where new_files.source_file is not null or affected_keys.{{ names[0] }} is not null
    )
{%- endmacro %}
