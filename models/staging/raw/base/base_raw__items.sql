-- Every raw item row, typed, with its reject reason and supersession flag. An item whose
-- project is unknown is rejected only when the raw directory has a projects export.
{%- set has_projects = raw_files('projects') | length > 0 %}
with

raw_rows as (
    select * from {{ ref('land_raw__items') }}
),

projects as (
    select project_id from {{ ref('stg_raw__projects') }}
),

typed as (
    select
        source_file,
        source_row_number,
        {{ json_record([
            'item_id', 'project_id', 'created_at', 'language', 'market', 'content_type', 'priority',
        ]) }} as raw_record,
        {{ clean_text('item_id') }} as item_id,
        {{ clean_text('project_id') }} as project_id,
        {{ to_utc_timestamp('trim(created_at)') }} as created_at,
        {{ normalise_language('language') }} as language,
        {{ clean_text('market') }} as market,
        {{ clean_text('content_type') }} as content_type,
        {{ try_cast_to('trim(priority)', 'integer') }} as priority,
        {{ clean_text('created_at') }} as created_at_text,
        {{ clean_text('priority') }} as priority_text
    from raw_rows
),

checked as (
    select
        typed.*,
        case
            when typed.item_id is null then 'null or blank item_id'
            when typed.project_id is null then 'null or blank project_id'
            when typed.created_at_text is null then 'null created_at'
            when typed.created_at is null then 'unparsable created_at'
            when typed.priority_text is not null and typed.priority is null then 'unparsable priority'
            {%- if has_projects %}
                when projects.project_id is null then 'unknown project_id'
            {%- endif %}
        end as reject_reason
    from typed
    left join projects on typed.project_id = projects.project_id
),

versioned as (
    select
        *,
        row_number() over (
            partition by reject_reason is null, item_id
            order by source_file desc, source_row_number desc
        ) as version_rank
    from checked
),

final as (
    select
        source_file,
        source_row_number,
        raw_record,
        item_id,
        project_id,
        created_at,
        language,
        market,
        content_type,
        priority,
        reject_reason,
        reject_reason is null and version_rank > 1 as is_superseded
    from versioned
)

select * from final
