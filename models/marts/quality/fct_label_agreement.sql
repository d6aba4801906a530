-- One row per project and label used in it: agreement on the binarised task "this label vs
-- every other label", so a quality lead sees which policy labels annotators disagree on,
-- plus positive and negative specific agreement (the chance that, given one judgement of a
-- pair says / does not say the label, the other does too).
-- Cost: the binarised counts are NOT expanded to items x labels. Items are read as count
-- patterns (int_agreement_count_patterns: items with the same label counts are one unit
-- weighted by n_items), and items where nobody chose the label all look alike given their
-- number of judgements m_u (m_u votes for 'negative'), so they are folded into one unit per
-- (project, label, m_u) whose weight is how many such items there are; the macro weights
-- every sum and every jackknife replicate by it.
with

patterns as (
    select * from {{ ref('int_agreement_count_patterns') }}
),

pattern_counts as (
    -- the items of a project with the same label counts are one unit weighted by n_items
    -- (languages and weeks pooled): every sum below is over patterns, never items
    select
        project_id,
        count_pattern,
        label,
        cast(sum(n_items) as bigint) as n_items,
        max(n_votes) as n_votes,
        max(n_judgements) as n_judgements
    from patterns
    group by project_id, count_pattern, label
),

pattern_sizes as (
    select
        project_id,
        count_pattern,
        max(n_items) as n_items,
        max(n_judgements) as n_judgements
    from pattern_counts
    group by project_id, count_pattern
),

items_per_size as (
    select
        project_id,
        n_judgements,
        cast(sum(n_items) as bigint) as n_items
    from pattern_sizes
    group by project_id, n_judgements
),

project_labels as (
    select distinct
        project_id,
        label
    from pattern_counts
),

label_items_per_size as (
    select
        project_id,
        label,
        n_judgements,
        cast(sum(n_items) as bigint) as n_items
    from pattern_counts
    group by project_id, label, n_judgements
),

items_without_label as (
    select
        project_labels.project_id,
        project_labels.label,
        items_per_size.n_judgements,
        items_per_size.n_items - coalesce(label_items_per_size.n_items, 0) as n_items
    from project_labels
    inner join items_per_size on project_labels.project_id = items_per_size.project_id
    left join label_items_per_size
        on
            project_labels.project_id = label_items_per_size.project_id
            and project_labels.label = label_items_per_size.label
            and items_per_size.n_judgements = label_items_per_size.n_judgements
),

binary_counts as (
    select
        project_id,
        label,
        count_pattern as unit_id,
        n_items as unit_weight,
        'positive' as category,
        n_votes,
        n_judgements
    from pattern_counts
    union all
    select
        project_id,
        label,
        count_pattern as unit_id,
        n_items as unit_weight,
        'negative' as category,
        n_judgements - n_votes as n_votes,
        n_judgements
    from pattern_counts
    where n_judgements > n_votes
    union all
    select
        project_id,
        label,
        -- one folded unit per size; the prefix keeps it apart from real item ids
        concat('(items without the label, m_u = ', cast(n_judgements as {{ dbt.type_string() }}), ')') as unit_id,
        n_items as unit_weight,
        'negative' as category,
        n_judgements as n_votes,
        n_judgements
    from items_without_label
    where n_items > 0
),

{{ agreement_statistics('binary_counts', ['project_id', 'label'], unit_col='unit_id', category_col='category',
    count_col='n_votes', weight_col='unit_weight', total_col='n_judgements') }},

project_pairs as (
    -- ordered pairs of judgements on items with >= 2 judgements, per project
    select
        project_id,
        cast(sum(n_items * n_judgements * (n_judgements - 1)) as bigint) as n_ordered_pairs
    from pattern_sizes
    where n_judgements >= 2
    group by project_id
),

label_pairs as (
    -- ordered pairs whose first judgement says the label, and those whose both do
    select
        project_id,
        label,
        cast(sum(n_items * n_votes) as bigint) as n_label_judgements,
        cast(sum(n_items * n_votes * (n_judgements - 1)) as bigint) as n_pairs_from_label,
        cast(sum(n_items * n_votes * (n_votes - 1)) as bigint) as n_pairs_both_label
    from pattern_counts
    where n_judgements >= 2
    group by project_id, label
),

final as (
    select
        agreement_statistics.project_id,
        agreement_statistics.label,
        agreement_statistics.n_units as n_items,
        coalesce(label_pairs.n_label_judgements, 0) as n_label_judgements,
        {{ safe_divide('coalesce(label_pairs.n_label_judgements, 0)', 'agreement_statistics.n_values') }}
            as label_share,
        agreement_statistics.n_categories,
        agreement_statistics.percent_agreement,
        agreement_statistics.fleiss_kappa,
        agreement_statistics.fleiss_kappa_ci_low,
        agreement_statistics.fleiss_kappa_ci_high,
        agreement_statistics.krippendorff_alpha,
        agreement_statistics.krippendorff_alpha_ci_low,
        agreement_statistics.krippendorff_alpha_ci_high,
        agreement_statistics.gwet_ac1,
        {{ specific_agreement('label_pairs.n_pairs_both_label', 'label_pairs.n_pairs_from_label') }}
            as positive_specific_agreement,
            -- negative pairs: all ordered pairs minus those touching the label; both-negative
            -- pairs are the rest once pairs with at least one positive member are removed
        {{ specific_agreement(
            'project_pairs.n_ordered_pairs - 2 * coalesce(label_pairs.n_pairs_from_label, 0)'
                ~ ' + coalesce(label_pairs.n_pairs_both_label, 0)',
            'project_pairs.n_ordered_pairs - coalesce(label_pairs.n_pairs_from_label, 0)') }}
            as negative_specific_agreement
    from agreement_statistics
    left join label_pairs
        on
            agreement_statistics.project_id = label_pairs.project_id
            and agreement_statistics.label = label_pairs.label
    left join project_pairs on agreement_statistics.project_id = project_pairs.project_id
)

select * from final
