-- Every raw model score, typed, with its reject reason and supersession flag. Key: model_name,
-- model_version, item_id, label; the same key and predicted_at twice in one file is a duplicate
-- (rejected), a later predicted_at (then the later file) supersedes.
with

raw_rows as (
    select * from {{ ref('land_raw__predictions') }}
),

labels as (
    select label from {{ ref('stg_raw__labels') }}
),

typed as (
    select
        source_file,
        source_row_number,
        {{ json_record(['model_name', 'model_version', 'item_id', 'label', 'score', 'predicted_at']) }}
            as raw_record,
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

checked as (
    select
        typed.*,
        case
            when typed.model_name is null then 'null or blank model_name'
            when typed.model_version is null then 'null or blank model_version'
            when typed.item_id is null then 'null or blank item_id'
            when typed.label is null then 'null or blank label'
            when typed.score_text is null then 'null score'
            when typed.score is null or isnan(typed.score) then 'unparsable score'
            when typed.score < 0 or typed.score > 1 then 'score outside [0, 1]'
            when
                typed.predicted_at_text is not null and typed.predicted_at is null
                then 'unparsable predicted_at'
            when labels.label is null then 'unknown label'
        end as row_reject_reason
    from typed
    left join labels on typed.label = labels.label
),

duplicates_marked as (
    select
        *,
        row_number() over (
            partition by row_reject_reason is null, source_file, model_name, model_version, item_id, label, predicted_at
            order by source_file, source_row_number
        ) as duplicate_rank
    from checked
),

reasoned as (
    select
        *,
        coalesce(
            row_reject_reason,
            case when duplicate_rank > 1 then 'duplicate prediction key and predicted_at' end
        ) as reject_reason
    from duplicates_marked
),

versioned as (
    select
        *,
        row_number() over (
            partition by reject_reason is null, model_name, model_version, item_id, label
            order by predicted_at desc nulls last, source_file desc, source_row_number desc
        ) as version_rank
    from reasoned
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
        reject_reason is null and version_rank > 1 as is_superseded
    from versioned
)

select * from final
