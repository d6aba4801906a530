-- One row per item of a project: when it was created and when it was completed, i.e. when
-- its labels_per_item-th distinct annotator first judged it (repeat judgements by the same
-- annotator do not bring an item closer to completion).
with

items as (
    select * from {{ ref('int_items') }}
),

annotations as (
    select * from {{ ref('int_annotations') }}
    where judgement_seq = 1
),

projects as (
    select * from {{ ref('stg_raw__projects') }}
),

judgement_order as (
    select
        item_id,
        submitted_at,
        row_number() over (partition by item_id order by submitted_at, annotator_id) as annotator_rank
    from annotations
),

items_with_target as (
    select
        items.item_id,
        items.project_id,
        items.created_at,
        coalesce(projects.labels_per_item, {{ var('default_labels_per_item') }}) as labels_per_item,
        projects.sla_hours
    from items
    left join projects on items.project_id = projects.project_id
),

final as (
    select
        items_with_target.item_id,
        items_with_target.project_id,
        items_with_target.created_at,
        items_with_target.labels_per_item,
        judgement_order.submitted_at as completed_at,
        {{ epoch_seconds_between('items_with_target.created_at', 'judgement_order.submitted_at') }} / 3600.0
            as turnaround_hours,
        items_with_target.sla_hours
    from items_with_target
    left join judgement_order
        on
            items_with_target.item_id = judgement_order.item_id
            and items_with_target.labels_per_item = judgement_order.annotator_rank
)

select * from final
