-- Every raw judgement, typed to UTC, with the reason it is rejected (NULL when kept) and
-- whether a later export of the same annotation_id supersedes it.
--   * exact duplicates (same annotation_id and exported_at) keep the first row, reject the rest;
--   * among the kept rows of an annotation_id the latest exported_at wins (then the later file).
-- Unknown items/projects are rejected only when the raw directory exports items/projects.
{%- set has_items = raw_files('items') | length > 0 %}
{%- set has_projects = raw_files('projects') | length > 0 %}
with

raw_rows as (
    select * from {{ ref('land_raw__annotations') }}
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

labels as (
    select label from {{ ref('stg_raw__labels') }}
),

typed as (
    select
        source_file,
        source_row_number,
        {{ json_record(['annotation_id', 'item_id', 'project_id', 'annotator_id', 'label', 'submitted_at',
            'started_at', 'language', 'exported_at', 'confidence']) }} as raw_record,
        {{ clean_text('annotation_id') }} as annotation_id,
        {{ clean_text('item_id') }} as item_id,
        {{ clean_text('project_id') }} as project_id,
        {{ clean_text('annotator_id') }} as annotator_id,
        {{ normalise_label('label') }} as label,
        {{ to_utc_timestamp('trim(submitted_at)') }} as submitted_at,
        {{ to_utc_timestamp('trim(started_at)') }} as started_at,
        {{ to_utc_timestamp('trim(exported_at)') }} as exported_at,
        {{ normalise_language('language') }} as language,
        {{ try_cast_to('trim(confidence)', 'double') }} as confidence,
        {{ clean_text('submitted_at') }} as submitted_at_text,
        {{ clean_text('started_at') }} as started_at_text,
        {{ clean_text('exported_at') }} as exported_at_text,
        {{ clean_text('confidence') }} as confidence_text
    from raw_rows
),

checked as (
    select
        typed.*,
        case
            when typed.annotation_id is null then 'null or blank annotation_id'
            when typed.item_id is null then 'null or blank item_id'
            when typed.project_id is null then 'null or blank project_id'
            when typed.annotator_id is null then 'null or blank annotator_id'
            when typed.label is null then 'null or blank label'
            when typed.submitted_at_text is null then 'null submitted_at'
            when typed.submitted_at is null then 'unparsable submitted_at'
            when typed.started_at_text is not null and typed.started_at is null then 'unparsable started_at'
            when
                typed.exported_at_text is not null and typed.exported_at is null
                then 'unparsable exported_at'
            when typed.confidence_text is not null and typed.confidence is null then 'unparsable confidence'
            when typed.started_at > typed.submitted_at then 'submitted_at before started_at'
            when labels.label is null then 'unknown label'
            {%- if has_projects %}
                when projects.project_id is null then 'unknown project_id'
            {%- endif %}
            {%- if has_items %}
                when items.item_id is null then 'unknown item_id'
                when items.project_id != typed.project_id then 'project_id differs from the item''s project'
            {%- endif %}
        end as row_reject_reason
    from typed
    left join labels on typed.label = labels.label
    left join projects on typed.project_id = projects.project_id
    left join items on typed.item_id = items.item_id
),

duplicates_marked as (
    select
        *,
        row_number() over (
            partition by row_reject_reason is null, annotation_id, exported_at
            order by source_file, source_row_number
        ) as duplicate_rank
    from checked
),

reasoned as (
    select
        *,
        coalesce(
            row_reject_reason,
            case when duplicate_rank > 1 then 'duplicate annotation_id and exported_at' end
        ) as reject_reason
    from duplicates_marked
),

versioned as (
    select
        *,
        row_number() over (
            partition by reject_reason is null, annotation_id
            order by exported_at desc nulls last, source_file desc, source_row_number desc
        ) as version_rank
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
        label,
        submitted_at,
        started_at,
        exported_at,
        language,
        confidence,
        reject_reason,
        reject_reason is null and version_rank > 1 as is_superseded
    from versioned
)

select * from final
