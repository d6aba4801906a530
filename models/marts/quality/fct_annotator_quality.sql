-- One row per project and annotator, plus project_id = 'all' for the annotator across every
-- project (an annotator's reliability is a property of the person, and the pooled row has
-- enough gold to judge it when each project alone has a handful): accuracy on gold items
-- (with a Wilson 95% interval), Cohen's kappa against gold, agreement with the leave-one-out
-- consensus of the other annotators, latent accuracy (the expected share of the annotator's
-- judgements that equal the Dawid-Skene latent truth of int_latent_confusion, where gold is
-- scarce), and self-consistency on items judged more than once.
-- Inter-annotator figures use each annotator's latest judgement of an item; the repeats only
-- feed the self_* columns.
-- is_flagged marks an annotator for review when either
--   * gold accuracy on >= var('quality_min_gold_items') gold items is below
--     var('quality_gold_accuracy_threshold'), or
--   * agreement with the leave-one-out consensus on >= var('quality_min_consensus_judgements')
--     judgements is below var('quality_consensus_agreement_threshold');
-- flag_reason says which rule(s) fired, with the figures.
{%- set min_gold = var('quality_min_gold_items') %}
{%- set gold_threshold = var('quality_gold_accuracy_threshold') %}
{%- set min_consensus = var('quality_min_consensus_judgements') %}
{%- set consensus_threshold = var('quality_consensus_agreement_threshold') %}
with

annotations_by_project as (
    select * from {{ ref('int_annotations') }}
),

judgement_cells_by_project as (
    select * from {{ ref('int_annotator_judgement_cells') }}
),

repeat_cells_by_project as (
    select * from {{ ref('int_annotator_repeat_cells') }}
),

annotators as (
    select * from {{ ref('stg_raw__annotators') }}
),

latent_confusion_by_project as (
    select * from {{ ref('int_latent_confusion') }}
),

submitted_by_project as (
    -- one pass over the judgements; the cross-project row is rolled up from this small result
    select
        project_id,
        annotator_id,
        cast(count(*) as bigint) as n_annotations,
        min(submitted_at) as first_submitted_at,
        max(submitted_at) as last_submitted_at
    from annotations_by_project
    group by project_id, annotator_id
),

submitted as (
    select * from submitted_by_project
    union all
    select
        'all' as project_id,
        annotator_id,
        cast(sum(n_annotations) as bigint) as n_annotations,
        min(first_submitted_at) as first_submitted_at,
        max(last_submitted_at) as last_submitted_at
    from submitted_by_project
    group by annotator_id
),

judgement_cells as (
    select
        project_id,
        annotator_id,
        label,
        gold_label,
        consensus_outcome,
        n_judgements
    from judgement_cells_by_project
    union all
    select
        'all' as project_id,
        annotator_id,
        label,
        gold_label,
        consensus_outcome,
        n_judgements
    from judgement_cells_by_project
),

repeat_cells as (
    select
        project_id,
        annotator_id,
        label_earlier,
        label_later,
        n_pairs
    from repeat_cells_by_project
    union all
    select
        'all' as project_id,
        annotator_id,
        label_earlier,
        label_later,
        n_pairs
    from repeat_cells_by_project
),

latent_matches_by_project as (
    -- expected judgements equal to the latent truth: the confusion matrix's diagonal counts
    select
        project_id,
        annotator_id,
        {{ latent_match_sums() }}
    from latent_confusion_by_project
    group by project_id, annotator_id
),

latent_matches as (
    select * from latent_matches_by_project
    union all
    select
        'all' as project_id,
        annotator_id,
        sum(expected_matches) as expected_matches,
        sum(n_latent_judgements) as n_latent_judgements
    from latent_matches_by_project
    group by annotator_id
),

graded as (
    select
        project_id,
        annotator_id,
        cast(sum(n_judgements) as bigint) as n_items_judged,
        {{ judgement_cell_counts() }}
    from judgement_cells
    group by project_id, annotator_id
),

gold_cells as (
    select
        project_id,
        annotator_id,
        label,
        gold_label,
        cast(sum(n_judgements) as bigint) as n_items
    from judgement_cells
    where gold_label is not null
    group by project_id, annotator_id, label, gold_label
),

gold_marginals as (
    {{ two_rater_marginals('gold_cells', ['project_id', 'annotator_id'], 'label', 'gold_label', 'n_items') }}
),

gold_marginal_products as (
    select
        project_id,
        annotator_id,
        cast(sum(n_a * n_b) as bigint) as sum_marginal_products
    from gold_marginals
    group by project_id, annotator_id
),

repeat_totals as (
    select
        project_id,
        annotator_id,
        cast(sum(n_pairs) as bigint) as n_repeat_pairs,
        cast(sum(case when label_earlier = label_later then n_pairs else 0 end) as bigint) as n_repeat_agree
    from repeat_cells
    group by project_id, annotator_id
),

repeat_marginals as (
    {{ two_rater_marginals('repeat_cells', ['project_id', 'annotator_id'], 'label_earlier', 'label_later', 'n_pairs') }}
),

repeat_marginal_products as (
    select
        project_id,
        annotator_id,
        cast(sum(n_a * n_b) as bigint) as sum_marginal_products
    from repeat_marginals
    group by project_id, annotator_id
),

scored as (
    select
        submitted.project_id,
        submitted.annotator_id,
        annotators.vendor,
        submitted.n_annotations,
        graded.n_items_judged,
        graded.n_gold_annotations,
        graded.n_gold_correct,
        {{ safe_divide('graded.n_gold_correct', 'graded.n_gold_annotations') }} as gold_accuracy,
        {{ wilson_interval('graded.n_gold_correct', 'graded.n_gold_annotations', 'lower') }}
            as gold_accuracy_ci_low,
        {{ wilson_interval('graded.n_gold_correct', 'graded.n_gold_annotations', 'upper') }}
            as gold_accuracy_ci_high,
        {{ cohen_kappa('graded.n_gold_correct', 'graded.n_gold_annotations',
            'gold_marginal_products.sum_marginal_products') }} as cohen_kappa_vs_gold,
        {{ safe_divide('latent_matches.expected_matches', 'latent_matches.n_latent_judgements') }} as latent_accuracy,
        graded.n_consensus_judgements,
        {{ safe_divide('graded.n_consensus_agree', 'graded.n_consensus_judgements') }}
            as agreement_with_consensus,
        coalesce(repeat_totals.n_repeat_pairs, 0) as n_repeat_pairs,
        {{ safe_divide('repeat_totals.n_repeat_agree', 'repeat_totals.n_repeat_pairs') }} as self_agreement,
        {{ cohen_kappa('repeat_totals.n_repeat_agree', 'repeat_totals.n_repeat_pairs',
            'repeat_marginal_products.sum_marginal_products') }} as self_kappa,
        submitted.first_submitted_at,
        submitted.last_submitted_at
    from submitted
    inner join graded
        on
            submitted.project_id = graded.project_id
            and submitted.annotator_id = graded.annotator_id
    left join gold_marginal_products
        on
            submitted.project_id = gold_marginal_products.project_id
            and submitted.annotator_id = gold_marginal_products.annotator_id
    left join repeat_totals
        on
            submitted.project_id = repeat_totals.project_id
            and submitted.annotator_id = repeat_totals.annotator_id
    left join repeat_marginal_products
        on
            submitted.project_id = repeat_marginal_products.project_id
            and submitted.annotator_id = repeat_marginal_products.annotator_id
    left join latent_matches
        on
            submitted.project_id = latent_matches.project_id
            and submitted.annotator_id = latent_matches.annotator_id
    left join annotators on submitted.annotator_id = annotators.annotator_id
),

flags as (
    select
        *,
        coalesce(
            n_gold_annotations >= {{ min_gold }} and gold_accuracy < {{ gold_threshold }}, false
        ) as is_flagged_on_gold,
        coalesce(
            n_consensus_judgements >= {{ min_consensus }} and agreement_with_consensus < {{ consensus_threshold }},
            false
        ) as is_flagged_on_consensus
    from scored
),

final as (
    select
        project_id,
        annotator_id,
        vendor,
        n_annotations,
        n_items_judged,
        n_gold_annotations,
        n_gold_correct,
        gold_accuracy,
        gold_accuracy_ci_low,
        gold_accuracy_ci_high,
        cohen_kappa_vs_gold,
        latent_accuracy,
        n_consensus_judgements,
        agreement_with_consensus,
        n_repeat_pairs,
        self_agreement,
        self_kappa,
        is_flagged_on_gold or is_flagged_on_consensus as is_flagged,
        case
            when is_flagged_on_gold or is_flagged_on_consensus
                then concat(
                        case
                            when is_flagged_on_gold
                                then concat(
                                        'gold accuracy ', {{ below_threshold_text('gold_accuracy', gold_threshold) }},
                                        ' on ', cast(n_gold_annotations as {{ dbt.type_string() }}), ' gold items'
                                    )
                            else ''
                        end,
                        case when is_flagged_on_gold and is_flagged_on_consensus then '; ' else '' end,
                        case
                            when is_flagged_on_consensus
                                then concat(
                                        'agreement with consensus ',
                                        {{ below_threshold_text('agreement_with_consensus', consensus_threshold) }},
                                        ' on ', cast(n_consensus_judgements as {{ dbt.type_string() }}), ' judgements'
                                    )
                            else ''
                        end
                    )
        end as flag_reason,
        first_submitted_at,
        last_submitted_at
    from flags
)

select * from final
