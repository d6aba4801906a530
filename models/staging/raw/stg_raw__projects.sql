-- One row per project: the rows of base_raw__projects that passed every check and are not
-- superseded. Rejected rows are in rejected_rows.
with

checked as (
    select * from {{ ref('base_raw__projects') }}
),

final as (
    select
        project_id,
        project_name,
        labels_per_item,
        target_items,
        due_date,
        sla_hours
    from checked
    where reject_reason is null and not is_superseded
)

select * from final
