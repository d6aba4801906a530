{#
    raw_files(entity) -> sorted list of the raw export files of one entity.

    A file belongs to <entity> when its name starts with the entity and ends in .csv, .csv.gz,
    .jsonl or .parquet, inside var('raw_dir'). Returns [] at parse time (no database yet).
#}
{% macro raw_files(entity) %}
{{ return(adapter.dispatch('raw_files', 'labelhouse')(entity)) }}
{% endmacro %}

{% macro default__raw_files(entity) %}
{{ exceptions.raise_compiler_error("raw_files is not implemented for adapter " ~ adapter.type()) }}
{% endmacro %}

{% macro duckdb__raw_files(entity) %}
{% if not execute %}{{ return([]) }}{% endif %}
{% set pattern = (var('raw_dir') ~ '/' ~ entity ~ '*') | replace("'", "''") %}
{% set listing %}
        select file from glob('{{ pattern }}')
        where regexp_matches(file, '\.(csv|csv\.gz|jsonl|parquet)$')
        order by file
    {% endset %}
{% set files = run_query(listing).columns[0].values() | list %}
{{ return(files) }}
{% endmacro %}


{#
    raw_file_format(path) -> 'csv' | 'jsonl' | 'parquet', from the file name.
#}
{% macro raw_file_format(path) %}
{% if path.endswith('.parquet') %}
        {{ return('parquet') }}
    {% elif path.endswith('.jsonl') %}
        {{ return('jsonl') }}
    {% else %}
{{ return('csv') }}
{% endif %}
{% endmacro %}


{#
    raw_file_columns(path) -> lower-cased column names of one raw file, as read.
#}
{% macro raw_file_columns(path) %}
{{ return(adapter.dispatch('raw_file_columns', 'labelhouse')(path)) }}
{% endmacro %}

{% macro duckdb__raw_file_columns(path) %}
{% set result = run_query('describe select * from ' ~ labelhouse.raw_file_reader(path, none)) %}
{{ return(result.columns[0].values() | list) }}
{% endmacro %}


{#
    raw_file_reader(path, columns) -> a table function reading one raw file, every column as text.
    `columns` (list of names, or none) pins the JSON reader's columns to VARCHAR.
#}
{% macro raw_file_reader(path, columns) %}
{{ return(adapter.dispatch('raw_file_reader', 'labelhouse')(path, columns)) }}
{% endmacro %}

{% macro duckdb__raw_file_reader(path, columns) %}
{%- set quoted = "'" ~ (path | replace("'", "''")) ~ "'" -%}
{%- set fmt = labelhouse.raw_file_format(path) -%}
{%- if fmt == 'parquet' -%}
        read_parquet({{ quoted }}, file_row_number = true)
    {%- elif fmt == 'jsonl' and columns -%}
read_json({{ quoted }}, format = 'newline_delimited', columns = {
{%- for c in columns %}'{{ c }}': 'VARCHAR'{{ ', ' if not loop.last }}{% endfor -%}
        })
    {%- elif fmt == 'jsonl' -%}
        read_json({{ quoted }}, format = 'newline_delimited')
    {%- else -%}
read_csv({{ quoted }}, header = true, all_varchar = true)
{%- endif -%}
{% endmacro %}


{#
    raw_row_number(path) -> 1-based row number of a record within its file.
#}
{% macro raw_row_number(path) %}
{{ return(adapter.dispatch('raw_row_number', 'labelhouse')(path)) }}
{% endmacro %}

{% macro duckdb__raw_row_number(path) %}
{%- if labelhouse.raw_file_format(path) == 'parquet' -%}
        file_row_number + 1
    {%- else -%}
row_number() over ()
{%- endif -%}
{% endmacro %}
