-- One row per counted judgement (the annotator's latest of the item) with what grading an
-- annotator needs: the gold label where known, and how the judgement compares with the
-- leave-one-out consensus of the other annotators (decided per item and label in
-- int_item_label_outcomes: agree, disagree, no_consensus, or NULL when nobody else judged it).
-- A view: its only readers aggregate it (int_annotator_judgement_cells, the root-cause analysis),
-- so the 10M-row join is streamed into their aggregates instead of written as a table.
{{ config(materialized='view') }}
with

annotations as (
    select * from {{ ref('int_annotations') }}
    where is_latest_judgement
),

label_outcomes as (
    select * from {{ ref('int_item_label_outcomes') }}
),

gold_labels as (
    select * from {{ ref('stg_raw__gold_labels') }}
),

final as (
    select
        annotations.annotation_id,
        annotations.item_id,
        annotations.project_id,
        annotations.language,
        annotations.annotator_id,
        annotations.label,
        annotations.submitted_week,
        label_outcomes.n_judgements,
        label_outcomes.consensus_outcome,
        gold_labels.label as gold_label,
        case when gold_labels.label is not null then annotations.label = gold_labels.label end as is_gold_correct
    from annotations
    inner join label_outcomes
        on
            annotations.item_id = label_outcomes.item_id
            and annotations.project_id = label_outcomes.project_id
            and annotations.label = label_outcomes.label
    left join gold_labels on annotations.item_id = gold_labels.item_id
)

select * from final
