-- One row per decision threshold per model version and label: the rows of base_raw__thresholds
-- that passed every check and are not superseded. Rejected rows are in rejected_rows.
with

checked as (
    select * from {{ ref('base_raw__thresholds') }}
),

final as (
    select
        model_name,
        model_version,
        label,
        threshold
    from checked
    where reject_reason is null and not is_superseded
)

select * from final
