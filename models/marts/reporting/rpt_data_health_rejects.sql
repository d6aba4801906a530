-- One row per raw entity and reject reason with at least one rejected row: how many raw rows
-- staging rejected for that reason, for the Data health page. Empty when nothing was rejected.
with

rejected_rows as (
    select * from {{ ref('rejected_rows') }}
),

final as (
    select
        entity,
        reject_reason,
        cast(count(*) as bigint) as n_rows
    from rejected_rows
    group by entity, reject_reason
)

select * from final
