{#
    raw_union(entity, files=none) -> SQL selecting every row of the given raw files of `entity`
    (default: all of them, raw_files(entity)).

    Output columns: source_file (file name), source_row_number (1-based within the file),
    then every contract column of the entity (var('raw_contract')) as text, NULL where a file
    lacks an optional column. Extra columns in a file are ignored; column names match
    case-insensitively. A file missing a required column stops compilation with an error that
    names the file and the column. With no file, the result is empty but typed.
#}
{% macro raw_union(entity, files=none) %}
    {%- set contract = var('raw_contract')[entity] -%}
    {%- set wanted = labelhouse.contract_columns(entity) -%}
    {%- if files is none -%}
        {%- set files = labelhouse.raw_files(entity) -%}
    {%- endif -%}
    {%- if files | length == 0 -%}
        select
            cast(null as {{ dbt.type_string() }}) as source_file,
            cast(null as bigint) as source_row_number,
            {%- for c in wanted %}
                cast(null as {{ dbt.type_string() }}) as {{ c }}{{ ',' if not loop.last }}
            {%- endfor %}
        where 1 = 0
    {%- else -%}
        {%- for f in files -%}
            {%- set actual = labelhouse.raw_file_columns(f) -%}
            {%- set by_lower = {} -%}
            {%- for a in actual -%}
                {%- do by_lower.update({(a | trim | lower): a}) -%}
            {%- endfor -%}
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
                    cast({{ adapter.quote(by_lower[c]) }} as {{ dbt.type_string() }}) as {{ c }}{{ ',' if not loop.last }}
                {%- else %}
                    cast(null as {{ dbt.type_string() }}) as {{ c }}{{ ',' if not loop.last }}
                {%- endif %}
            {%- endfor %}
        from {{ labelhouse.raw_file_reader(f, actual) }}
        {% if not loop.last %}union all{% endif %}
        {%- endfor -%}
    {%- endif -%}
{% endmacro %}


{#
    land_raw(entity) -> the body of an incremental landing model: every row of the raw files of
    `entity` that earlier builds have not landed yet (all files on a full refresh).

    Raw exports are append-only: a file is landed once, by name. A file that was landed and is
    no longer in the raw directory stops the build (history would silently differ from a full
    refresh); run `labelhouse build --full-refresh` after removing or rewriting an export.
#}
{% macro land_raw(entity) %}
    {%- set files = labelhouse.raw_files(entity) -%}
    {%- if execute and is_incremental() -%}
        {%- set landed = run_query('select distinct source_file from ' ~ this).columns[0].values() | list -%}
        {%- set present = [] -%}
        {%- for f in files -%}
            {%- do present.append(f.split('/')[-1]) -%}
        {%- endfor -%}
        {%- for name in landed -%}
            {%- if name not in present -%}
                {{ exceptions.raise_compiler_error(
                    "Raw export file '" ~ name ~ "' (" ~ entity ~ ") was loaded by an earlier build but is no longer in "
                    ~ var('raw_dir') ~ ". Exports are append-only: run a full refresh (labelhouse build --full-refresh)."
                ) }}
            {%- endif -%}
        {%- endfor -%}
        {%- set new_files = [] -%}
        {%- for f in files -%}
            {%- if f.split('/')[-1] not in landed -%}
                {%- do new_files.append(f) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- set files = new_files -%}
    {%- endif -%}
    {{ labelhouse.raw_union(entity, files) }}
{% endmacro %}
