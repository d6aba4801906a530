{#
    reject_if_blank(columns, prefix='') -> `when` branches of a base_raw__ model's reject case,
    one per column in order: a required column that is NULL after cleaning (missing, empty or
    blank) rejects the row with reason null_or_blank_<column>.
#}
{% macro reject_if_blank(columns, prefix='') -%}
    {%- for c in columns %}
        when {{ prefix }}{{ c }} is null then {{ reject_reason('null_or_blank_' ~ c) }}
    {%- endfor %}
{%- endmacro %}


{#
    reject_if_unparsable(columns, prefix='') -> `when` branches, one per column in order: a value
    present in the file (<column>_text, the cleaned text, is not NULL) that did not cast to the
    column's type (<column> is NULL) rejects the row with reason unparsable_<column>.
#}
{% macro reject_if_unparsable(columns, prefix='') -%}
    {%- for c in columns %}
        when
            {{ prefix }}{{ c }}_text is not null and {{ prefix }}{{ c }} is null
            then {{ reject_reason('unparsable_' ~ c) }}
    {%- endfor %}
{%- endmacro %}


{#
    reject_if_missing_or_unparsable(columns, prefix='') -> `when` branches, two per column in
    order, for a required typed value: missing from the file (<column>_text, the cleaned text, is
    NULL) rejects the row with reason null_<column>; present but not castable to the column's
    type (<column> is NULL) rejects it with reason unparsable_<column>.
#}
{% macro reject_if_missing_or_unparsable(columns, prefix='') -%}
    {%- for c in columns %}
        when {{ prefix }}{{ c }}_text is null then {{ reject_reason('null_' ~ c) }}
        when {{ prefix }}{{ c }} is null then {{ reject_reason('unparsable_' ~ c) }}
    {%- endfor %}
{%- endmacro %}
