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
    Spark lists the directory with the binaryFile source (only `path` is selected, so no file
    content is read) and filters the names with the same rule as labelhouse/contract.py. This
    works for any Hadoop file system path (file:, s3a:, abfss:, hdfs:). A listing computed
    outside dbt can be passed instead as var('raw_files_listing') = {entity: [path, ...]}.
#}
{% macro spark__raw_files(entity) %}
{% if not execute %}{{ return([]) }}{% endif %}
{% set given = var('raw_files_listing') %}
{% if given is not none %}{{ return((given.get(entity) or []) | sort) }}{% endif %}
{% set raw_dir = var('raw_dir').rstrip('/') %}
{% set listing %}
        select path from binaryFile.`{{ raw_dir }}`
    {% endset %}
{% set pattern = modules.re.compile(modules.re.escape(entity) ~ '.*\\.(csv|csv\\.gz|jsonl|parquet)$') %}
{% set files = [] %}
{% for path in run_query(listing).columns[0].values() %}
{% if pattern.match(path.split('/')[-1]) %}{% do files.append(path) %}{% endif %}
{% endfor %}
{{ return(files | sort) }}
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

{% macro spark__raw_file_columns(path) %}
{% set result = run_query('select * from ' ~ labelhouse.raw_file_reader(path, none) ~ ' limit 0') %}
{{ return(result.column_names | list) }}
{% endmacro %}

{% macro duckdb__raw_file_columns(path) %}
{% set result = run_query('describe select * from ' ~ labelhouse.raw_file_reader(path, none)) %}
{{ return(result.columns[0].values() | list) }}
{% endmacro %}


{#
    raw_file_reader(path, columns) -> a table function reading one raw file, every column as text.
    `columns` (list of names, or none) pins the JSON reader's columns to VARCHAR.

    CSV is the contract's dialect, var('raw_csv_dialect') (RFC 4180: comma, `"` quote doubled
    inside a value, a header row), stated and never sniffed (DuckDB's sniffer picks the quote
    character from the first rows, so a file whose first quoted value comes late would be
    misread); nothing skipped, no comment lines, no padding of short rows (the preflight reads the
    same dialect with the same options: contract.duckdb_csv_options and CSV_READ_POLICY).
    DuckDB reads in lenient mode (strict_mode = false) so that a file mixing line endings (a header
    fixed by hand in an editor over CRLF rows) loads: the preflight has read every CSV strictly
    before dbt runs and stops on what lenient mode would let through (a row with extra fields, text
    after a closing quote, invalid UTF-8).
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
{%- set dialect = var('raw_csv_dialect') -%}
read_csv({{ quoted }}, delim = {{ labelhouse.raw_csv_char(dialect['delimiter']) }},
    quote = {{ labelhouse.raw_csv_char(dialect['quote']) }}, escape = {{ labelhouse.raw_csv_char(dialect['escape']) }},
    header = true, skip = 0, comment = '',
    all_varchar = true, null_padding = false, strict_mode = false)
{%- endif -%}
{% endmacro %}


{#
    Spark: Parquet is queried in place (parquet.`path`), which keeps the _metadata.row_index
    column. CSV and JSON lines need reader options, so they get a temporary view per file (named
    from a hash of the path), created at compile time; every dbt-spark session connection
    shares one SparkSession, so the model's statement sees it. CSV is read with its header and
    every column as text (no schema inference) in the dialect of var('raw_csv_dialect') (sep,
    quote, escape), records spanning lines; JSON lines with
    primitivesAsString, so numbers keep their text as written.
#}
{% macro spark__raw_file_reader(path, columns) %}
{%- set fmt = labelhouse.raw_file_format(path) -%}
{%- if fmt == 'parquet' -%}
parquet.`{{ path | replace('`', '``') }}`
{%- else -%}
{%- set view = 'labelhouse_raw_' ~ local_md5(path) -%}
{%- set quoted = "'" ~ (path | replace("\\", "\\\\") | replace("'", "\\'")) ~ "'" -%}
{%- if fmt == 'jsonl' -%}
{%- set ddl = "using json options (path " ~ quoted ~ ", primitivesAsString 'true')" -%}
{%- else -%}
{%- set dialect = var('raw_csv_dialect') -%}
{%- set ddl = "using csv options (path " ~ quoted
    ~ ", header 'true', inferSchema 'false', multiLine 'true'"
    ~ ", sep " ~ labelhouse.raw_csv_char(dialect['delimiter'], backslash=true)
    ~ ", quote " ~ labelhouse.raw_csv_char(dialect['quote'], backslash=true)
    ~ ", escape " ~ labelhouse.raw_csv_char(dialect['escape'], backslash=true) ~ ")" -%}
{%- endif -%}
{%- if execute -%}
{%- do run_query('create or replace temporary view ' ~ view ~ ' ' ~ ddl) -%}
{%- endif -%}
{{ view }}
{%- endif -%}
{%- endmacro %}


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

{#
    Spark has no file row number for CSV and JSON: monotonically_increasing_id() grows along
    each file split and the splits of one file are in offset order, so its rank is the row
    number (one window over the file; fine for exports, not for one file of billions of rows).
#}
{% macro spark__raw_row_number(path) %}
{%- if labelhouse.raw_file_format(path) == 'parquet' -%}
        _metadata.row_index + 1
    {%- else -%}
row_number() over (order by monotonically_increasing_id())
{%- endif -%}
{% endmacro %}


{#
    raw_csv_char(c, backslash=false) -> one character of var('raw_csv_dialect') as a SQL string
    literal: quotes doubled (DuckDB), or backslash-escaped (Spark's options).
#}
{% macro raw_csv_char(c, backslash=false) -%}
    {%- if backslash -%}
        '{{ c | replace("\\", "\\\\") | replace("'", "\\'") }}'
    {%- else -%}
        '{{ c | replace("'", "''") }}'
    {%- endif -%}
{%- endmacro %}
