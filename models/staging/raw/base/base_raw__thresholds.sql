-- Every raw decision threshold per model version and label, typed, with its reject reason and
-- supersession flag (the later file wins).
with

raw_rows as (
    select * from {{ ref('land_raw__thresholds') }}
),

labels as (
    select label from {{ ref('stg_raw__labels') }}
),

typed as (
    select
        source_file,
        source_row_number,
        {{ json_record(contract_columns('thresholds')) }} as raw_record,
        {{ clean_text('model_name') }} as model_name,
        {{ clean_text('model_version') }} as model_version,
        {{ normalise_label('label') }} as label,
        {{ try_cast_to('trim(threshold)', 'double') }} as threshold
    from raw_rows
),

checked as (
    select
        typed.*,
        case
            {{ reject_if_blank(['model_name', 'model_version', 'label'], prefix='typed.') }}
            when typed.threshold is null then {{ reject_reason('null_or_unparsable_threshold') }}
            when typed.threshold < 0 or typed.threshold > 1 then {{ reject_reason('threshold_outside_0_1') }}
            when labels.label is null then {{ reject_reason('unknown_label') }}
        end as reject_reason
    from typed
    left join labels on typed.label = labels.label
),

versioned as (
    select
        *,
        {{ version_rank(['model_name', 'model_version', 'label']) }} as version_rank
    from checked
),

final as (
    select
        source_file,
        source_row_number,
        raw_record,
        model_name,
        model_version,
        label,
        threshold,
        reject_reason,
        {{ is_superseded() }} as is_superseded
    from versioned
)

select * from final
