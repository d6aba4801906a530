{#
    raw_union(entity) -> SQL selecting every row of every raw file of `entity`.

    Output columns: source_file (file name), source_row_number (1-based within the file),
    then every contract column of the entity (var('raw_contract')) as text, NULL where a file
    lacks an optional column. Extra columns in a file are ignored; column names match
    case-insensitively. A file missing a required column stops compilation with an error that
    names the file and the column. With no file at all, the result is empty but typed.
#}
{% macro raw_union(entity) %}
{%- set contract = var('raw_contract')[entity] -%}
{%- set wanted = contract['required'] + contract['optional'] -%}
{%- set files = labelhouse.raw_files(entity) -%}
{%- if files | length == 0 %}
    select
        cast(null as varchar) as source_file,
        cast(null as bigint) as source_row_number,
{%- for c in wanted %}
        cast(null as varchar) as {{ c }},
        {%- endfor %}
    where 1 = 0
    {%- else -%}
{%- for f in files -%}
{%- set actual = labelhouse.raw_file_columns(f) -%}
{%- set by_lower = {} -%}
{%- for a in actual -%}{%- do by_lower.update({(a | trim | lower): a}) -%}{%- endfor -%}
{%- for r in contract['required'] -%}
{%- if r not in by_lower -%}
                {{ exceptions.raise_compiler_error(
                    "Raw export file '" ~ f ~ "' (entity " ~ entity ~ ") has no required column '"
                    ~ r ~ "'. Required columns: " ~ (contract['required'] | join(', '))
                    ~ ". Columns found: " ~ (actual | join(', '))) }}
{%- endif -%}
{%- endfor %}
    select
        '{{ f.split("/")[-1] | replace("'", "''") }}' as source_file,
        cast({{ labelhouse.raw_row_number(f) }} as bigint) as source_row_number,
{%- for c in wanted %}
{%- if c in by_lower %}
        cast({{ adapter.quote(by_lower[c]) }} as varchar) as {{ c }},
        {%- else %}
        cast(null as varchar) as {{ c }},
{%- endif %}
{%- endfor %}
    from {{ labelhouse.raw_file_reader(f, actual) }}
{% if not loop.last %}union all{% endif %}
{%- endfor -%}
{%- endif -%}
{% endmacro %}
