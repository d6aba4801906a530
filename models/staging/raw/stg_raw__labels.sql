-- One row per label in the taxonomy: the rows of base_raw__labels that passed every check and are
-- not superseded. Rejected rows are in rejected_rows.
with

checked as (
    select * from {{ ref('base_raw__labels') }}
),

final as (
    select
        label,
        policy_area,
        is_violating,
        severity
    from checked
    where reject_reason is null and not is_superseded
)

select * from final
