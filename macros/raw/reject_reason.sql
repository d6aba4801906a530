{#
    reject_reason(key) -> the SQL string literal of one reject reason, looked up by key in
    var('reject_reasons') (dbt_project.yml), the one list of why staging rejects a raw row.
    The base_raw__ models write every reason through this macro; the raw gate suites name the
    same keys (meta.reject_reasons) and gates.py reads the same var, so a reason's text lives
    in one place. An unknown key stops compilation.
#}
{% macro reject_reason(key) -%}
    {%- set text = var('reject_reasons')[key] -%}
    {%- if text is not defined or text is none -%}
        {{ exceptions.raise_compiler_error(
            "reject_reason: unknown key '" ~ key ~ "'; add it to var('reject_reasons') in dbt_project.yml"
        ) }}
    {%- endif -%}
    '{{ text | replace("'", "''") }}'
{%- endmacro %}
