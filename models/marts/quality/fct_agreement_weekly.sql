-- One row per project, language ('all' = every language) and week: the agreement trend.
-- An item belongs to the UTC week of its first counted judgement (item_week), so all of an
-- item's judgements are compared within one week even when they straddle a week boundary.
with

item_counts as (
    select * from {{ ref('int_item_category_counts') }}
),

counts_with_rollup as {{ not_materialized() }}(
    select
        project_id,
        language,
        item_week as week,
        item_id,
        label,
        n_votes,
        n_judgements
    from item_counts
    union all
    select
        project_id,
        'all' as language,
        item_week as week,
        item_id,
        label,
        n_votes,
        n_judgements
    from item_counts
),

{{ agreement_statistics(
    'counts_with_rollup', ['project_id', 'language', 'week'], total_col='n_judgements'
) }},

final as (
    select
        project_id,
        language,
        week,
        n_units as n_items,
        n_values_all as n_annotations,
        n_categories,
        percent_agreement,
        fleiss_kappa,
        fleiss_kappa_ci_low,
        fleiss_kappa_ci_high,
        krippendorff_alpha,
        krippendorff_alpha_ci_low,
        krippendorff_alpha_ci_high,
        gwet_ac1
    from agreement_statistics
)

select * from final
