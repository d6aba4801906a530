-- One row per current judgement (latest export of each annotation_id): the rows of
-- base_raw__annotations that passed every check and are not superseded. Rejected rows are in
-- rejected_rows. A view: the filter costs less than writing the 10M rows again.
{{ config(materialized='view') }}
with

checked as (
    select * from {{ ref('base_raw__annotations') }}
),

final as (
    select
        annotation_id,
        item_id,
        project_id,
        annotator_id,
        label,
        submitted_at,
        started_at,
        exported_at,
        language,
        confidence,
        guideline_version,
        source_file
    from checked
    where reject_reason is null and not is_superseded
)

select * from final
