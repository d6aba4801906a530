-- One row per project, annotator and UTC week of submission: the annotator quality trend
-- (gold accuracy and agreement with the leave-one-out consensus), so a lead can see when an
-- annotator started to drift. Judgements are the annotator's latest of each item.
with

judgement_cells as (
    select * from {{ ref('int_annotator_judgement_cells') }}
),

final as (
    select
        project_id,
        annotator_id,
        submitted_week as week,
        cast(sum(n_judgements) as bigint) as n_items_judged,
        cast(sum(case when gold_label is not null then n_judgements else 0 end) as bigint) as n_gold_annotations,
        {{ safe_divide(
            'sum(case when label = gold_label then n_judgements else 0 end)',
            'sum(case when gold_label is not null then n_judgements else 0 end)'
        ) }} as gold_accuracy,
        cast(sum(case when consensus_outcome in ('agree', 'disagree') then n_judgements else 0 end) as bigint)
            as n_consensus_judgements,
        {{ safe_divide(
            "sum(case when consensus_outcome = 'agree' then n_judgements else 0 end)",
            "sum(case when consensus_outcome in ('agree', 'disagree') then n_judgements else 0 end)"
        ) }} as agreement_with_consensus
    from judgement_cells
    group by project_id, annotator_id, submitted_week
)

select * from final
