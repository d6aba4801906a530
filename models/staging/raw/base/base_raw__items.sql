-- Every raw item row, typed, with its reject reason and supersession flag. An item whose
-- project is unknown is rejected only when the raw directory has a projects export. Among the
-- kept rows of an item_id the later file, then the later row, wins. The ranking window runs only
-- over the item_ids that occur more than once; raw_record is built only for rejected rows.
--
-- Incremental (DuckDB), as base_raw__annotations: the rows of every item_id that occurs in a file
-- this table has not seen, that has a rejected row, or whose project the current projects export
-- no longer has are re-derived and replace their earlier versions by raw-row key.
{{ config(
    materialized=incremental_materialization(),
    incremental_strategy='delete+insert',
    unique_key=['source_file', 'source_row_number'],
) }}
{%- set has_projects = raw_files('projects') | length > 0 %}
{%- set raw_columns = contract_columns('items') %}
{#- CTEs read more than once: streamed (recomputed) over all rows on a full build, buffered when an
    incremental build has only the affected rows (macro not_materialized) #}
{%- set streamed = '' if is_incremental() else not_materialized() %}
with

landed as {{ not_materialized() }}(
    select * from {{ ref('land_raw__items') }}
),

projects as (
    select project_id from {{ ref('stg_raw__projects') }}
),

{%- if is_incremental() %}

    previous as {{ not_materialized() }}(
        select
            source_file,
            item_id,
            project_id,
            reject_reason
        from {{ this }}
    ),

    new_files as (
        {{ unseen_files() }}
    ),

    rechecked_keys as (
        select previous.item_id
        from previous
        left join projects on previous.project_id = projects.project_id
        where
            previous.item_id is not null
            and (previous.reject_reason is not null or {{ fails_reference_checks('previous', has_projects, false) }})
    ),

    -- every landed row of the keys in unseen files and of the rechecked keys is re-derived
    {{ rederived_rows([['item_id', clean_text('landed.item_id')]]) }},
{%- else %}

    raw_rows as {{ streamed }}(
        select * from landed
    ),
{%- endif %}

typed as {{ streamed }}(
    select
        source_file,
        source_row_number,
        {%- for c in raw_columns %}
            {{ c }} as raw_{{ c }},
        {%- endfor %}
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

repeated_keys as (
    select item_id
    from typed
    group by item_id
    having count(*) > 1
),

checked as {{ streamed }}(
    select
        typed.*,
        repeated_keys.item_id is not null as is_repeated_key,
        case
            {{ reject_if_blank(['item_id', 'project_id'], prefix='typed.') }}
            {{ reject_if_missing_or_unparsable(['created_at'], prefix='typed.') }}
            {{ reject_if_unparsable(['priority'], prefix='typed.') }}
            {{ reject_if_unknown_reference('typed', has_projects, false) }}
        end as reject_reason
    from typed
    left join projects on typed.project_id = projects.project_id
    left join repeated_keys on typed.item_id = repeated_keys.item_id
),

single_rows as (
    select
        *,
        1 as version_rank
    from checked
    where not is_repeated_key
),

versioned as (
    select
        *,
        {{ version_rank(['item_id']) }} as version_rank
    from checked
    where is_repeated_key
),

{%- set output_columns = ['source_file', 'source_row_number', 'item_id', 'project_id', 'created_at', 'language',
    'market', 'content_type', 'priority', 'reject_reason'] %}

ranked as (
    {{ versioned_rows(output_columns, raw_columns) }}
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
        is_superseded
    from ranked
)

select * from final
