-- One row per project, annotator and UTC week of submission: the annotator quality trend
-- (gold accuracy and agreement with the leave-one-out consensus), so a lead can see when an
-- annotator started to drift. Judgements are the annotator's latest of each item.
with

judgement_cells as (
    select * from {{ ref('int_annotator_judgement_cells') }}
),

weekly_counts as (
    select
        project_id,
        annotator_id,
        submitted_week as week,
        cast(sum(n_judgements) as bigint) as n_items_judged,
        {{ judgement_cell_counts() }}
    from judgement_cells
    group by project_id, annotator_id, submitted_week
),

final as (
    select
        project_id,
        annotator_id,
        week,
        n_items_judged,
        n_gold_annotations,
        {{ safe_divide('n_gold_correct', 'n_gold_annotations') }} as gold_accuracy,
        n_consensus_judgements,
        {{ safe_divide('n_consensus_agree', 'n_consensus_judgements') }} as agreement_with_consensus
    from weekly_counts
)

select * from final
