-- One row per project, language ('all' = every language) and week: the agreement trend.
-- An item belongs to the UTC week of its first counted judgement (item_week), so all of an
-- item's judgements are compared within one week even when they straddle a week boundary.
-- Ordinal and interval alpha use the labels' severities and are NULL for a project where any
-- judged label has none.
with

item_counts as (
    select * from {{ ref('int_item_category_counts') }}
),

labels as (
    select * from {{ ref('stg_raw__labels') }}
),

counts_with_severity as {{ not_materialized() }}(
    select
        item_counts.project_id,
        item_counts.language,
        item_counts.item_week,
        item_counts.item_id,
        item_counts.label,
        item_counts.n_votes,
        item_counts.n_judgements,
        labels.severity
    from item_counts
    left join labels
        on item_counts.label = labels.label
),

counts_with_rollup as {{ not_materialized() }}(
    select
        project_id,
        language,
        item_week as week,
        item_id,
        label,
        n_votes,
        n_judgements,
        severity
    from counts_with_severity
    union all
    select
        project_id,
        'all' as language,
        item_week as week,
        item_id,
        label,
        n_votes,
        n_judgements,
        severity
    from counts_with_severity
),

{{ agreement_statistics(
    'counts_with_rollup', ['project_id', 'language', 'week'], total_col='n_judgements'
) }},

{{ metric_alpha_statistics('counts_with_rollup', ['project_id', 'language', 'week']) }},

projects_with_severity as (
    {{ projects_with_severity('agreement_categories', 'labels') }}
),

final as (
    select
        agreement_statistics.project_id,
        agreement_statistics.language,
        agreement_statistics.week,
        agreement_statistics.n_units as n_items,
        agreement_statistics.n_values_all as n_annotations,
        agreement_statistics.n_categories,
        agreement_statistics.percent_agreement,
        agreement_statistics.fleiss_kappa,
        agreement_statistics.fleiss_kappa_ci_low,
        agreement_statistics.fleiss_kappa_ci_high,
        agreement_statistics.krippendorff_alpha,
        agreement_statistics.krippendorff_alpha_ci_low,
        agreement_statistics.krippendorff_alpha_ci_high,
        {%- for col in ['ordinal', 'ordinal_ci_low', 'ordinal_ci_high', 'interval', 'interval_ci_low',
            'interval_ci_high'] %}
            case
                when projects_with_severity.project_id is not null
                    then metric_alpha_statistics.krippendorff_alpha_{{ col }}
            end as krippendorff_alpha_{{ col }},
        {%- endfor %}
        agreement_statistics.gwet_ac1
    from agreement_statistics
    left join metric_alpha_statistics
        on
            agreement_statistics.project_id = metric_alpha_statistics.project_id
            and agreement_statistics.language = metric_alpha_statistics.language
            and agreement_statistics.week = metric_alpha_statistics.week
    left join projects_with_severity
        on agreement_statistics.project_id = projects_with_severity.project_id
)

select * from final
