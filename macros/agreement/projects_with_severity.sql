{#
    projects_with_severity(categories_relation, labels_relation) -> a SELECT of the project_id of
    every project whose judged labels all have a severity: the projects where the ordinal and
    interval alphas are defined (elsewhere they are NULL). categories_relation is an
    agreement_statistics `<prefix>_categories` CTE (project_id, language, category, ...), read
    at its language = 'all' roll-up so every judged label counts, pairable or not, in any week;
    labels_relation is stg_raw__labels (label, severity).
#}
{% macro projects_with_severity(categories_relation, labels_relation) -%}
    select categories.project_id
    from {{ categories_relation }} as categories
    left join {{ labels_relation }} as labels
        on categories.category = labels.label
    where categories.language = 'all'
    group by categories.project_id
    having count(labels.severity) = count(*)
{%- endmacro %}
