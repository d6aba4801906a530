-- One row per project, annotator and UTC week of submission: the annotator quality trend
-- (gold accuracy and agreement with the leave-one-out consensus), so a lead can see when an
-- annotator started to drift. Judgements are the annotator's latest of each item.
with

judgements as (
    select * from {{ ref('int_judgement_quality') }}
),

final as (
    select
        project_id,
        annotator_id,
        submitted_week as week,
        cast(count(*) as bigint) as n_items_judged,
        cast(count(gold_label) as bigint) as n_gold_annotations,
        cast(sum(case when is_gold_correct then 1 else 0 end) as double)
        / nullif(count(gold_label), 0) as gold_accuracy,
        cast(sum(case when consensus_outcome in ('agree', 'disagree') then 1 else 0 end) as bigint)
            as n_consensus_judgements,
        cast(sum(case when consensus_outcome = 'agree' then 1 else 0 end) as double)
        / nullif(sum(case when consensus_outcome in ('agree', 'disagree') then 1 else 0 end), 0)
            as agreement_with_consensus
    from judgements
    group by project_id, annotator_id, submitted_week
)

select * from final
