-- One row per annotator: the rows of base_raw__annotators that passed every check and are not
-- superseded. Rejected rows are in rejected_rows.
with

checked as (
    select * from {{ ref('base_raw__annotators') }}
),

final as (
    select
        annotator_id,
        vendor,
        site,
        languages,
        started_on
    from checked
    where reject_reason is null and not is_superseded
)

select * from final
