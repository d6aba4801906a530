-- One row per raw export file read by this build: entity, format and the row count, counted
-- straight from the file (independently of the staging logic, so reconciliation can be tested).
{%- set contract = var('raw_contract') %}
{%- set ns = namespace(selects=[]) %}
{%- for entity in contract %}
    {%- for f in raw_files(entity) %}
        {%- set one %}
    select
        '{{ entity }}' as entity,
        '{{ f.split("/")[-1] | replace("'", "''") }}' as source_file,
        '{{ raw_file_format(f) }}' as file_format,
        count(*) as n_rows
    from {{ raw_file_reader(f, raw_file_columns(f)) }}
        {%- endset %}
        {%- set ns.selects = ns.selects + [one] %}
    {%- endfor %}
{%- endfor %}
with

files as (
    {%- if ns.selects | length == 0 %}
        select
            cast(null as {{ dbt.type_string() }}) as entity,
            cast(null as {{ dbt.type_string() }}) as source_file,
            cast(null as {{ dbt.type_string() }}) as file_format,
            cast(null as bigint) as n_rows
        where 1 = 0
    {%- else %}
        {{ ns.selects | join('\n    union all') }}
    {%- endif %}
),

final as (
    select
        entity,
        source_file,
        file_format,
        cast(n_rows as bigint) as n_rows
    from files
)

select * from final
