{#
    contract_columns(entity) -> the raw export contract's columns of `entity` (var('raw_contract')):
    its required columns, then its optional ones, in the order the contract lists them. The one
    list that landing (raw_union), the typed base models (their raw_<column> and raw_record
    columns) and the docs read, so a column added to the contract needs no second edit.
#}
{% macro contract_columns(entity) %}
    {%- set contract = var('raw_contract')[entity] -%}
    {{- return(contract['required'] + contract['optional']) }}
{% endmacro %}
