-- One row per current judgement, with what every downstream fact needs: the item's language,
-- the handle time, the UTC day and week, and whether it is the annotator's latest judgement
-- of the item (repeats of the same item by the same annotator count once in inter-annotator
-- statistics: the latest one).
with

annotations as (
    select * from {{ ref('stg_raw__annotations') }}
),

items as (
    select * from {{ ref('int_items') }}
),

enriched as (
    select
        annotations.annotation_id,
        annotations.item_id,
        annotations.project_id,
        annotations.annotator_id,
        annotations.label,
        coalesce(items.language, annotations.language, 'und') as language,
        annotations.submitted_at,
        annotations.started_at,
        {{ epoch_seconds_between('annotations.started_at', 'annotations.submitted_at') }} as handle_seconds,
        cast(annotations.submitted_at as date) as submitted_date,
        cast({{ dbt.date_trunc('week', 'annotations.submitted_at') }} as date) as submitted_week,
        row_number() over (
            partition by annotations.item_id, annotations.annotator_id
            order by annotations.submitted_at, annotations.annotation_id
        ) as judgement_seq,
        count(*)
            over (partition by annotations.item_id, annotations.annotator_id)
            as n_judgements_by_annotator
    from annotations
    left join items on annotations.item_id = items.item_id
),

final as (
    select
        annotation_id,
        item_id,
        project_id,
        annotator_id,
        label,
        language,
        submitted_at,
        started_at,
        handle_seconds,
        submitted_date,
        submitted_week,
        judgement_seq,
        judgement_seq = n_judgements_by_annotator as is_latest_judgement
    from enriched
)

select * from final
