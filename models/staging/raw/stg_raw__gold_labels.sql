-- One row per item with a gold label: the rows of base_raw__gold_labels that passed every check
-- and are not superseded. Rejected rows are in rejected_rows.
with

checked as (
    select * from {{ ref('base_raw__gold_labels') }}
),

final as (
    select
        item_id,
        label,
        project_id,
        gold_source,
        labelled_at
    from checked
    where reject_reason is null and not is_superseded
)

select * from final
