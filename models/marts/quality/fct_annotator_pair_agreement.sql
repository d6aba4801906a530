-- One row per project and unordered annotator pair (annotator_a < annotator_b) with at least
-- one shared item: how often the two agree on the items both judged (latest judgement of
-- each), raw and as Cohen's kappa from their 2-way table.
with

cells as (
    select * from {{ ref('int_annotator_pair_cells') }}
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

marginals as (
    -- each rater's count per label, side by side, to form sum_c a_c * b_c
    select
        project_id,
        annotator_a,
        annotator_b,
        label_a as label,
        n_items as n_a,
        cast(0 as bigint) as n_b
    from pair_cells
    union all
    select
        project_id,
        annotator_a,
        annotator_b,
        label_b as label,
        cast(0 as bigint) as n_a,
        n_items as n_b
    from pair_cells
),

label_marginals as (
    select
        project_id,
        annotator_a,
        annotator_b,
        label,
        sum(n_a) as n_a,
        sum(n_b) as n_b
    from marginals
    group by project_id, annotator_a, annotator_b, label
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
        ) }} as cohen_kappa
    from pair_totals
    inner join marginal_products
        on
            pair_totals.project_id = marginal_products.project_id
            and pair_totals.annotator_a = marginal_products.annotator_a
            and pair_totals.annotator_b = marginal_products.annotator_b
)

select * from final
