-- One row per week: agreement pooled over every project and language, the Overview's headline.
-- The statistics are those of the pooled item x label counts of the week's items (an item
-- belongs to the week of its first counted judgement, as in fct_agreement_weekly), not an
-- average of per-project coefficients: an average of alphas is not an alpha. weeks_back = 1 is
-- the latest week in the warehouse.
with

item_counts as (
    select * from {{ ref('int_item_category_counts') }}
),

pooled_counts as {{ not_materialized() }}(
    select
        item_week as week,
        -- an item is one unit within its project
        concat(project_id, '|', item_id) as unit_key,
        label,
        n_votes,
        n_judgements
    from item_counts
),

{{ agreement_statistics(
    'pooled_counts', ['week'], unit_col='unit_key', total_col='n_judgements'
) }},

final as (
    select
        week,
        row_number() over (order by week desc) as weeks_back,
        n_units as n_items,
        n_values_all as n_annotations,
        n_categories,
        percent_agreement,
        fleiss_kappa,
        krippendorff_alpha,
        krippendorff_alpha_ci_low,
        krippendorff_alpha_ci_high,
        gwet_ac1
    from agreement_statistics
)

select * from final
