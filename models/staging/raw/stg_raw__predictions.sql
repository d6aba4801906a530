-- One row per model score per model version, item and label: the rows of base_raw__predictions
-- that passed every check and are not superseded. Rejected rows are in rejected_rows.
with

checked as (
    select * from {{ ref('base_raw__predictions') }}
),

final as (
    select
        model_name,
        model_version,
        item_id,
        label,
        score,
        predicted_at
    from checked
    where reject_reason is null and not is_superseded
)

select * from final
