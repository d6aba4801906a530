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


{#
    reference_checks(row, has_projects, has_items) -> the referential rules of a staged row, in
    order, as [condition, reject reason] pairs over the joined reference exports `projects` and
    `items` (aliases of the models' import CTEs): its project_id is not in the projects export;
    its item_id is not in the items export; its project_id is not its item's project. A rule
    applies only when the raw directory has that export (has_projects, has_items), so a directory
    without one loads every row.
#}
{% macro reference_checks(row, has_projects, has_items) -%}
    {%- set checks = [] %}
    {%- if has_projects %}
        {%- do checks.append(['projects.project_id is null', 'unknown_project_id']) %}
    {%- endif %}
    {%- if has_items %}
        {%- do checks.append(['items.item_id is null', 'unknown_item_id']) %}
        {%- do checks.append([
            'items.project_id != ' ~ row ~ '.project_id', 'project_id_differs_from_the_item_project'
        ]) %}
    {%- endif %}
    {{- return(checks) }}
{%- endmacro %}


{#
    reject_if_unknown_reference(row, has_projects, has_items) -> `when` branches of a base_raw__
    model's reject case, one per rule of reference_checks, in its order.
#}
{% macro reject_if_unknown_reference(row, has_projects, has_items) -%}
    {%- for check in reference_checks(row, has_projects, has_items) %}
        when {{ check[0] }} then {{ reject_reason(check[1]) }}
    {%- endfor %}
{%- endmacro %}


{#
    fails_reference_checks(row, has_projects, has_items) -> a boolean: the row breaks a rule of
    reference_checks (false when the raw directory has neither export). An incremental build
    re-derives such rows, since a new reference export can change their status.
#}
{% macro fails_reference_checks(row, has_projects, has_items) -%}
    (false
    {%- for check in reference_checks(row, has_projects, has_items) %} or {{ check[0] }}{% endfor -%}
    )
{%- endmacro %}
