-- One row per item to be labelled: the rows of base_raw__items that passed every check and are not
-- superseded. Rejected rows are in rejected_rows.
with

checked as (
    select * from {{ ref('base_raw__items') }}
),

final as (
    select
        item_id,
        project_id,
        created_at,
        language,
        market,
        content_type,
        priority
    from checked
    where reject_reason is null and not is_superseded
)

select * from final
