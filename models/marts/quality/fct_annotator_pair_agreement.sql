-- One row per project and unordered annotator pair (annotator_a < annotator_b) with at least
-- one shared item: how often the two agree on the items both judged (latest judgement of
-- each), raw and as Cohen's kappa from their 2-way table; weighted kappas on the labels'
-- severity positions where the project's severity scale is complete (int_project_severity_scale).
with

cells as (
    select * from {{ ref('int_annotator_pair_cells') }}
),

severity_scale as (
    select * from {{ ref('int_project_severity_scale') }}
),

pair_cells as (
    -- languages pooled: the pair's table is over every shared item of the project
    select
        project_id,
        annotator_a,
        annotator_b,
        label_a,
        label_b,
        cast(sum(n_items) as bigint) as n_items
    from cells
    group by project_id, annotator_a, annotator_b, label_a, label_b
),

pair_totals as (
    select
        project_id,
        annotator_a,
        annotator_b,
        cast(sum(n_items) as bigint) as n_shared_items,
        cast(sum(case when label_a = label_b then n_items else 0 end) as bigint) as n_agree
    from pair_cells
    group by project_id, annotator_a, annotator_b
),

-- each rater's count per label, side by side, to form sum_c a_c * b_c
label_marginals as (
    {{ two_rater_marginals(
        'pair_cells', ['project_id', 'annotator_a', 'annotator_b'], 'label_a', 'label_b', 'n_items'
    ) }}
),

marginal_products as (
    select
        project_id,
        annotator_a,
        annotator_b,
        cast(sum(n_a * n_b) as bigint) as sum_marginal_products
    from label_marginals
    group by project_id, annotator_a, annotator_b
),

label_positions as (
    -- the label's 0-based position among the project's sorted distinct severities, for
    -- projects whose severity scale is complete
    select
        project_id,
        label,
        severity_position
    from severity_scale
    where has_complete_severity_scale
),

observed_weights as (
    select
        pair_cells.project_id,
        pair_cells.annotator_a,
        pair_cells.annotator_b,
        cast(sum(
            pair_cells.n_items
            * {{ kappa_disagreement_weight(
                'position_a.severity_position', 'position_b.severity_position', 'linear'
            ) }}
        ) as bigint) as observed_linear,
        cast(sum(
            pair_cells.n_items
            * {{ kappa_disagreement_weight(
                'position_a.severity_position', 'position_b.severity_position', 'quadratic'
            ) }}
        ) as bigint) as observed_quadratic
    from pair_cells
    inner join label_positions as position_a
        on pair_cells.project_id = position_a.project_id and pair_cells.label_a = position_a.label
    inner join label_positions as position_b
        on pair_cells.project_id = position_b.project_id and pair_cells.label_b = position_b.label
    group by pair_cells.project_id, pair_cells.annotator_a, pair_cells.annotator_b
),

position_marginals as (
    select
        label_marginals.project_id,
        label_marginals.annotator_a,
        label_marginals.annotator_b,
        label_positions.severity_position,
        cast(sum(label_marginals.n_a) as bigint) as n_a,
        cast(sum(label_marginals.n_b) as bigint) as n_b
    from label_marginals
    inner join label_positions
        on label_marginals.project_id = label_positions.project_id and label_marginals.label = label_positions.label
    group by
        label_marginals.project_id, label_marginals.annotator_a, label_marginals.annotator_b,
        label_positions.severity_position
),

expected_weights as (
    -- sum_ij w_ij a_i b_j over the two raters' position marginals
    select
        marginal_a.project_id,
        marginal_a.annotator_a,
        marginal_a.annotator_b,
        cast(sum(
            marginal_a.n_a * marginal_b.n_b
            * {{ kappa_disagreement_weight(
                'marginal_a.severity_position', 'marginal_b.severity_position', 'linear'
            ) }}
        ) as bigint) as expected_linear,
        cast(sum(
            marginal_a.n_a * marginal_b.n_b
            * {{ kappa_disagreement_weight(
                'marginal_a.severity_position', 'marginal_b.severity_position', 'quadratic'
            ) }}
        ) as bigint) as expected_quadratic
    from position_marginals as marginal_a
    inner join position_marginals as marginal_b
        on
            marginal_a.project_id = marginal_b.project_id
            and marginal_a.annotator_a = marginal_b.annotator_a
            and marginal_a.annotator_b = marginal_b.annotator_b
    group by marginal_a.project_id, marginal_a.annotator_a, marginal_a.annotator_b
),

final as (
    select
        pair_totals.project_id,
        pair_totals.annotator_a,
        pair_totals.annotator_b,
        pair_totals.n_shared_items,
        pair_totals.n_agree,
        cast(pair_totals.n_agree as double) / pair_totals.n_shared_items as percent_agreement,
        {{ cohen_kappa(
            'pair_totals.n_agree', 'pair_totals.n_shared_items', 'marginal_products.sum_marginal_products'
        ) }} as cohen_kappa,
        {{ weighted_kappa(
            'observed_weights.observed_linear', 'pair_totals.n_shared_items', 'expected_weights.expected_linear'
        ) }} as weighted_kappa_linear,
        {{ weighted_kappa(
            'observed_weights.observed_quadratic', 'pair_totals.n_shared_items', 'expected_weights.expected_quadratic'
        ) }} as weighted_kappa_quadratic
    from pair_totals
    inner join marginal_products
        on
            pair_totals.project_id = marginal_products.project_id
            and pair_totals.annotator_a = marginal_products.annotator_a
            and pair_totals.annotator_b = marginal_products.annotator_b
    left join observed_weights
        on
            pair_totals.project_id = observed_weights.project_id
            and pair_totals.annotator_a = observed_weights.annotator_a
            and pair_totals.annotator_b = observed_weights.annotator_b
    left join expected_weights
        on
            pair_totals.project_id = expected_weights.project_id
            and pair_totals.annotator_a = expected_weights.annotator_a
            and pair_totals.annotator_b = expected_weights.annotator_b
)

select * from final
