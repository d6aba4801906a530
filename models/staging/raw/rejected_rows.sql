-- Every raw row that staging did not keep, with the reason: one table for all entities, so
-- nothing is lost silently. raw = staged + superseded + rejected, per entity (tested).
with

rejected as (
    select
        'projects' as entity,
        source_file,
        source_row_number,
        reject_reason,
        raw_record
    from {{ ref('base_raw__projects') }}
    where reject_reason is not null
    union all
    select
        'annotators' as entity,
        source_file,
        source_row_number,
        reject_reason,
        raw_record
    from {{ ref('base_raw__annotators') }}
    where reject_reason is not null
    union all
    select
        'labels' as entity,
        source_file,
        source_row_number,
        reject_reason,
        raw_record
    from {{ ref('base_raw__labels') }}
    where reject_reason is not null
    union all
    select
        'items' as entity,
        source_file,
        source_row_number,
        reject_reason,
        raw_record
    from {{ ref('base_raw__items') }}
    where reject_reason is not null
    union all
    select
        'annotations' as entity,
        source_file,
        source_row_number,
        reject_reason,
        raw_record
    from {{ ref('base_raw__annotations') }}
    where reject_reason is not null
    union all
    select
        'gold_labels' as entity,
        source_file,
        source_row_number,
        reject_reason,
        raw_record
    from {{ ref('base_raw__gold_labels') }}
    where reject_reason is not null
    union all
    select
        'predictions' as entity,
        source_file,
        source_row_number,
        reject_reason,
        raw_record
    from {{ ref('base_raw__predictions') }}
    where reject_reason is not null
    union all
    select
        'moderation_decisions' as entity,
        source_file,
        source_row_number,
        reject_reason,
        raw_record
    from {{ ref('base_raw__moderation_decisions') }}
    where reject_reason is not null
    union all
    select
        'thresholds' as entity,
        source_file,
        source_row_number,
        reject_reason,
        raw_record
    from {{ ref('base_raw__thresholds') }}
    where reject_reason is not null
),

final as (
    select
        entity,
        source_file,
        source_row_number,
        reject_reason,
        raw_record
    from rejected
)

select * from final
