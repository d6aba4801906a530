-- Every raw model score, typed, with its reject reason and supersession flag. Key: model_name,
-- model_version, item_id, label; the same key and predicted_at twice in one file is a duplicate
-- (rejected), a later predicted_at (then the later file) supersedes.
-- The two ranking windows run only over the rows whose key occurs more than once; every other
-- row is its key's first and latest version. raw_record is built only for rejected rows.
--
-- Incremental (DuckDB), as base_raw__annotations: the rows of every key that occurs in a file this
-- table has not seen, that has a rejected row, or whose label the current taxonomy no longer
-- knows are re-derived and replace their earlier versions by raw-row key.
{{ config(
    materialized=incremental_materialization(),
    incremental_strategy='delete+insert',
    unique_key=['source_file', 'source_row_number'],
) }}
{%- set raw_columns = contract_columns('predictions') %}
{%- set key_columns = ['model_name', 'model_version', 'item_id', 'label'] %}
{#- CTEs read more than once: streamed (recomputed) over all rows on a full build, buffered when an
    incremental build has only the affected rows (macro not_materialized) #}
{%- set streamed = '' if is_incremental() else not_materialized() %}
with

landed as {{ not_materialized() }}(
    select * from {{ ref('land_raw__predictions') }}
),

labels as (
    select label from {{ ref('stg_raw__labels') }}
),

{%- if is_incremental() %}

    previous as {{ not_materialized() }}(
        select
            source_file,
            model_name,
            model_version,
            item_id,
            label,
            reject_reason
        from {{ this }}
    ),

    new_files as (
        {{ unseen_files() }}
    ),

    rechecked_keys as (
        select
            previous.model_name,
            previous.model_version,
            previous.item_id,
            previous.label
        from previous
        left join labels on previous.label = labels.label
        where previous.reject_reason is not null or labels.label is null
    ),

    -- every landed row of the keys in unseen files and of the rechecked keys is re-derived
    {{ rederived_rows([
        ['model_name', clean_text('landed.model_name')],
        ['model_version', clean_text('landed.model_version')],
        ['item_id', clean_text('landed.item_id')],
        ['label', normalise_label('landed.label')],
    ]) }},
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
        {{ clean_text('model_name') }} as model_name,
        {{ clean_text('model_version') }} as model_version,
        {{ clean_text('item_id') }} as item_id,
        {{ normalise_label('label') }} as label,
        {{ try_cast_to('trim(score)', 'double') }} as score,
        {{ to_utc_timestamp('trim(predicted_at)') }} as predicted_at,
        {{ clean_text('score') }} as score_text,
        {{ clean_text('predicted_at') }} as predicted_at_text
    from raw_rows
),

repeated_keys as (
    select
        model_name,
        model_version,
        item_id,
        label
    from typed
    group by model_name, model_version, item_id, label
    having count(*) > 1
),

checked as {{ streamed }}(
    select
        typed.*,
        repeated_keys.model_name is not null as is_repeated_key,
        case
            {{ reject_if_blank(['model_name', 'model_version', 'item_id', 'label'], prefix='typed.') }}
            when typed.score_text is null then {{ reject_reason('null_score') }}
            when typed.score is null or isnan(typed.score) then {{ reject_reason('unparsable_score') }}
            when typed.score < 0 or typed.score > 1 then {{ reject_reason('score_outside_0_1') }}
            {{ reject_if_unparsable(['predicted_at'], prefix='typed.') }}
            when labels.label is null then {{ reject_reason('unknown_label') }}
        end as row_reject_reason
    from typed
    left join labels on typed.label = labels.label
    left join repeated_keys
        on
            typed.model_name = repeated_keys.model_name
            and typed.model_version = repeated_keys.model_version
            and typed.item_id = repeated_keys.item_id
            and typed.label = repeated_keys.label
),

-- keys that occur once: their only row is the first and the latest version
single_rows as (
    select
        *,
        row_reject_reason as reject_reason,
        1 as version_rank
    from checked
    where not is_repeated_key
),

duplicates_marked as (
    select
        *,
        {{ duplicate_rank(['model_name', 'model_version', 'item_id', 'label', 'predicted_at']) }} as duplicate_rank
    from checked
    where is_repeated_key
),

reasoned as (
    select
        *,
        {{ duplicate_reject_reason('duplicate_prediction_key_and_predicted_at') }} as reject_reason
    from duplicates_marked
),

versioned as (
    select
        *,
        {{ version_rank(
            ['model_name', 'model_version', 'item_id', 'label'], latest_first=['predicted_at']
        ) }} as version_rank
    from reasoned
),

{%- set output_columns = ['source_file', 'source_row_number', 'model_name', 'model_version', 'item_id', 'label',
    'score', 'predicted_at', 'reject_reason'] %}

ranked as (
    {{ versioned_rows(output_columns, raw_columns) }}
),

final as (
    select
        source_file,
        source_row_number,
        raw_record,
        model_name,
        model_version,
        item_id,
        label,
        score,
        predicted_at,
        reject_reason,
        is_superseded
    from ranked
)

select * from final
