-- Every raw skip (a task an annotator opened and skipped: Label Studio's was_cancelled), typed to
-- UTC, with the reason it is rejected (NULL when kept) and whether it is superseded. A skip is not
-- a judgement: it only feeds skip rates.
--   * exact duplicates (same annotation_id and skipped_at) within one file keep the first row and
--     reject the rest; the same row in a later file (overlapping or snapshot exports) is a
--     re-export of it;
--   * among the kept rows of an annotation_id the latest skipped_at wins (then the later file).
-- Unknown items/projects are rejected only when the raw directory exports items/projects.
{%- set has_items = raw_files('items') | length > 0 %}
{%- set has_projects = raw_files('projects') | length > 0 %}
with

raw_rows as (
    select * from {{ ref('land_raw__annotation_skips') }}
),

items as (
    select
        item_id,
        project_id
    from {{ ref('stg_raw__items') }}
),

projects as (
    select project_id from {{ ref('stg_raw__projects') }}
),

typed as (
    select
        source_file,
        source_row_number,
        {{ json_record(contract_columns('annotation_skips')) }}
            as raw_record,
        {{ clean_text('annotation_id') }} as annotation_id,
        {{ clean_text('item_id') }} as item_id,
        {{ clean_text('project_id') }} as project_id,
        {{ clean_text('annotator_id') }} as annotator_id,
        {{ to_utc_timestamp('trim(skipped_at)') }} as skipped_at,
        {{ clean_text('skipped_at') }} as skipped_at_text
    from raw_rows
),

checked as (
    select
        typed.*,
        case
            {{ reject_if_blank(['annotation_id', 'item_id', 'project_id', 'annotator_id'], prefix='typed.') }}
            {{ reject_if_unparsable(['skipped_at'], prefix='typed.') }}
            {{ reject_if_unknown_reference('typed', has_projects, has_items) }}
        end as row_reject_reason
    from typed
    left join projects on typed.project_id = projects.project_id
    left join items on typed.item_id = items.item_id
),

duplicates_marked as (
    select
        *,
        {{ duplicate_rank(['annotation_id', 'skipped_at']) }} as duplicate_rank
    from checked
),

reasoned as (
    select
        *,
        {{ duplicate_reject_reason('duplicate_annotation_id_and_skipped_at') }} as reject_reason
    from duplicates_marked
),

versioned as (
    select
        *,
        {{ version_rank(['annotation_id'], latest_first=['skipped_at']) }} as version_rank
    from reasoned
),

final as (
    select
        source_file,
        source_row_number,
        raw_record,
        annotation_id,
        item_id,
        project_id,
        annotator_id,
        skipped_at,
        reject_reason,
        {{ is_superseded() }} as is_superseded
    from versioned
)

select * from final
