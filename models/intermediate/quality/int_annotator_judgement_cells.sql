-- One row per project, annotator, UTC week of submission, label given, gold label (NULL
-- without gold), leave-one-out consensus outcome and the item's number of judgements (m_u,
-- the stratum of the consensus-drift test: agreement with fewer other judges is lower): how
-- many of the annotator's counted judgements (the latest of each item) fall in that cell.
-- Every annotator-quality figure (gold accuracy, kappa against gold, agreement with consensus,
-- per project, per week and across projects) is a sum over these cells, so no mart reads the
-- 10M judgements again.
with

judgements as (
    select * from {{ ref('int_judgement_quality') }}
),

final as (
    select
        project_id,
        annotator_id,
        submitted_week,
        label,
        gold_label,
        consensus_outcome,
        n_judgements as n_item_judgements,
        cast(count(*) as bigint) as n_judgements
    from judgements
    group by project_id, annotator_id, submitted_week, label, gold_label, consensus_outcome, n_judgements
)

select * from final
