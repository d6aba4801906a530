-- One row per label of the taxonomy in force for this build (raw `labels` export or the seed).
with

labels as (
    select * from {{ ref('stg_raw__labels') }}
),

final as (
    select
        label,
        policy_area,
        is_violating,
        severity
    from labels
)

select * from final
