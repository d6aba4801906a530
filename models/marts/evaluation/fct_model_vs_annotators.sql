-- One row per model_name, model_version and reference ('consensus' = the item's non-tied
-- consensus of >= 2 judgements, 'gold' = its gold label): the model's arg-max decision treated
-- as one more rater, its Cohen's kappa with the reference, next to the median of the
-- annotators' kappas with the same reference on the same items (each annotator's latest
-- judgement of the items this model version scored; annotators with fewer than
-- var eval_annotator_min_items such items, or an undefined kappa, are left out). Annotators are
-- part of the consensus they are compared with, which flatters them a little against
-- 'consensus'; 'gold' has no such bias.
{%- set min_items = var('eval_annotator_min_items') %}
with

item_decisions as (
    select * from {{ ref('int_model_item_decisions') }}
),

annotations as (
    select * from {{ ref('int_annotations') }}
    where is_latest_judgement
),

reference_kinds as (
    select reference_rows.reference
    from (values ('consensus'), ('gold')) as reference_rows (reference)
),

reference_items as (
    select
        item_decisions.model_name,
        item_decisions.model_version,
        reference_kinds.reference,
        item_decisions.item_id,
        item_decisions.predicted_label,
        case
            when reference_kinds.reference = 'gold' then item_decisions.gold_label
            else item_decisions.consensus_label
        end as reference_label
    from item_decisions
    cross join reference_kinds
),

-- every rater's label next to the reference label: the model once, each annotator once
rater_labels as (
    select
        model_name,
        model_version,
        reference,
        'model' as rater_kind,
        '' as rater_id,
        reference_label,
        predicted_label as rater_label
    from reference_items
    where reference_label is not null
    union all
    select
        reference_items.model_name,
        reference_items.model_version,
        reference_items.reference,
        'annotator' as rater_kind,
        annotations.annotator_id as rater_id,
        reference_items.reference_label,
        annotations.label as rater_label
    from reference_items
    inner join annotations on reference_items.item_id = annotations.item_id
    where reference_items.reference_label is not null
),

cells as (
    select
        model_name,
        model_version,
        reference,
        rater_kind,
        rater_id,
        reference_label,
        rater_label,
        count(*) as n_items
    from rater_labels
    group by model_name, model_version, reference, rater_kind, rater_id, reference_label, rater_label
),

-- marginal counts per category of the reference (n_a) and of the rater (n_b)
marginals as (
    {{ two_rater_marginals(
        'cells', ['model_name', 'model_version', 'reference', 'rater_kind', 'rater_id'],
        'reference_label', 'rater_label', 'n_items'
    ) }}
),

marginal_products as (
    select
        model_name,
        model_version,
        reference,
        rater_kind,
        rater_id,
        cast(sum(n_a * n_b) as bigint) as sum_marginal_products
    from marginals
    group by model_name, model_version, reference, rater_kind, rater_id
),

rater_totals as (
    select
        model_name,
        model_version,
        reference,
        rater_kind,
        rater_id,
        cast(sum(n_items) as bigint) as n_items,
        cast(sum(case when reference_label = rater_label then n_items else 0 end) as bigint) as n_agree
    from cells
    group by model_name, model_version, reference, rater_kind, rater_id
),

rater_kappas as (
    select
        rater_totals.model_name,
        rater_totals.model_version,
        rater_totals.reference,
        rater_totals.rater_kind,
        rater_totals.rater_id,
        rater_totals.n_items,
        {{ safe_divide('rater_totals.n_agree', 'rater_totals.n_items') }} as percent_agreement,
        {{ cohen_kappa('rater_totals.n_agree', 'rater_totals.n_items', 'marginal_products.sum_marginal_products') }}
            as kappa
    from rater_totals
    inner join marginal_products
        on
            rater_totals.model_name = marginal_products.model_name
            and rater_totals.model_version = marginal_products.model_version
            and rater_totals.reference = marginal_products.reference
            and rater_totals.rater_kind = marginal_products.rater_kind
            and rater_totals.rater_id = marginal_products.rater_id
),

annotator_summary as (
    select
        model_name,
        model_version,
        reference,
        count(*) as n_annotators,
        {{ median_value('kappa') }} as median_annotator_kappa,
        {{ median_value('percent_agreement') }} as median_annotator_agreement
    from rater_kappas
    where rater_kind = 'annotator' and n_items >= {{ min_items }} and kappa is not null
    group by model_name, model_version, reference
),

final as (
    select
        model_kappas.model_name,
        model_kappas.model_version,
        model_kappas.reference,
        model_kappas.n_items,
        model_kappas.percent_agreement as model_agreement,
        model_kappas.kappa as model_kappa,
        coalesce(annotator_summary.n_annotators, 0) as n_annotators,
        annotator_summary.median_annotator_agreement,
        annotator_summary.median_annotator_kappa,
        model_kappas.kappa - annotator_summary.median_annotator_kappa as kappa_vs_median_annotator
    from rater_kappas as model_kappas
    left join annotator_summary
        on
            model_kappas.model_name = annotator_summary.model_name
            and model_kappas.model_version = annotator_summary.model_version
            and model_kappas.reference = annotator_summary.reference
    where model_kappas.rater_kind = 'model'
)

select * from final
