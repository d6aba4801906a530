-- One row per production moderation decision: the rows of base_raw__moderation_decisions that
-- passed every check and are not superseded. Rejected rows are in rejected_rows.
with

checked as (
    select * from {{ ref('base_raw__moderation_decisions') }}
),

final as (
    select
        decision_id,
        item_id,
        action,
        label,
        decided_at,
        decided_by,
        appealed_at,
        appeal_outcome
    from checked
    where reject_reason is null and not is_superseded
)

select * from final
