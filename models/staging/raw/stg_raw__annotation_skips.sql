-- One row per current skip (a task an annotator skipped; latest export of each annotation_id): the
-- rows of base_raw__annotation_skips that passed every check and are not superseded. Skips are not
-- judgements; they feed skip rates. Rejected rows are in rejected_rows.
with

checked as (
    select * from {{ ref('base_raw__annotation_skips') }}
),

final as (
    select
        annotation_id,
        item_id,
        project_id,
        annotator_id,
        skipped_at,
        source_file
    from checked
    where reject_reason is null and not is_superseded
)

select * from final
