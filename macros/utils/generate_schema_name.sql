{#
    Use the custom schema name as it is (staging, intermediate, marts) rather than dbt's
    default "<target schema>_<custom>", so the reports and gates read stable names.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
