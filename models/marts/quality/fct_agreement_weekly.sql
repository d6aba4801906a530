-- One row per project, language ('all' = every language) and week: the agreement trend.
-- An item belongs to the UTC week of its first counted judgement (item_week), so all of an
-- item's judgements are compared within one week even when they straddle a week boundary.
-- Every figure comes from the agreement_by_group macro over the items' count patterns, as in
-- fct_agreement; ordinal and interval alpha are NULL for a project whose severity scale is
-- incomplete (int_project_severity_scale).
with

patterns as (
    select
        project_id,
        language,
        item_week as week,
        count_pattern,
        label,
        n_items,
        n_votes,
        n_judgements
    from {{ ref('int_agreement_count_patterns') }}
),

severity_scale as (
    select * from {{ ref('int_project_severity_scale') }}
),

{{ agreement_by_group('patterns', 'severity_scale', ['project_id', 'language', 'week']) }},

final as (
    select
        agreement.project_id,
        agreement.language,
        agreement.week,
        agreement.n_units as n_items,
        agreement.n_values_all as n_annotations,
        agreement.n_categories,
        {{ agreement_figure_columns('agreement') }}
    from agreement_by_group as agreement
)

select * from final
