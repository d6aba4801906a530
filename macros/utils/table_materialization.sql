{#
    The `table` materialization on DuckDB: the model's table is created under its own name in
    one transaction (an existing relation of that name is dropped first, inside the same
    transaction, so a failed model leaves the previous table in place: DuckDB's DDL is
    transactional and dbt rolls the failed transaction back).

    dbt-duckdb's own table materialization creates the table under a temporary name, renames
    the old one to a backup, renames the new one into place, then drops the backup: four
    statements and the Jinja around them for every model: up to ~12% of a small build's dbt
    time (docs/benchmarks.md). What it handles beyond this one is unused here and refused below:
    Python models, key constraints (a table that a foreign key references cannot be dropped),
    indexes, DuckLake catalogs, partitioned_by and sorted_by. Contracts, hooks, grants and
    persist_docs work as before (create_table_as, run_hooks, apply_grants, persist_docs). Other
    engines keep their adapter's materialization.
#}
{% materialization table, adapter='duckdb', supported_languages=['sql'] %}
    {%- set target_relation = this.incorporate(type='table') %}
    {%- set existing_relation = load_cached_relation(this) %}
    {%- set grant_config = config.get('grants') %}
    {%- set constraint_types = enforced_constraint_types() %}
    {%- if config.get('indexes') or config.get('partitioned_by') or config.get('sorted_by')
        or adapter.use_ducklake_table_workarounds(target_relation)
        or 'foreign_key' in constraint_types or 'primary_key' in constraint_types or 'unique' in constraint_types %}
        {{ exceptions.raise_compiler_error(
            'labelhouse\'s table materialization (macros/utils/table_materialization.sql) does not handle '
            ~ 'indexes, partitioned_by, sorted_by, DuckLake or key constraints: ' ~ this) }}
    {%- endif %}

    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}
    {%- if existing_relation is not none %}
        {#- in the model's transaction (dbt-duckdb's drop_relation would commit on its own) #}
        {% call statement('drop_existing') -%}
            drop {{ existing_relation.type }} if exists {{ existing_relation }}
        {%- endcall %}
    {%- endif %}
    {% call statement('main') -%}
        {{ create_table_as(False, target_relation, compiled_code) }}
    {%- endcall %}
    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {%- set revoke = should_revoke(existing_relation, full_refresh_mode=True) %}
    {% do apply_grants(target_relation, grant_config, should_revoke=revoke) %}
    {% do persist_docs(target_relation, model) %}
    {{ adapter.commit() }}
    {{ run_hooks(post_hooks, inside_transaction=False) }}
    {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}
