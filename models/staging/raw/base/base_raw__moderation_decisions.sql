-- Every raw production moderation decision, typed to UTC, with its reject reason and
-- supersession flag (a decision_id exported again: the later file wins).
with

raw_rows as (
    select * from {{ ref('land_raw__moderation_decisions') }}
),

labels as (
    select label from {{ ref('stg_raw__labels') }}
),

typed as (
    select
        source_file,
        source_row_number,
        {{ json_record(contract_columns('moderation_decisions')) }} as raw_record,
        {{ clean_text('decision_id') }} as decision_id,
        {{ clean_text('item_id') }} as item_id,
        lower({{ clean_text('action') }}) as action,
        {{ normalise_label('label') }} as label,
        {{ to_utc_timestamp('trim(decided_at)') }} as decided_at,
        lower({{ clean_text('decided_by') }}) as decided_by,
        {{ to_utc_timestamp('trim(appealed_at)') }} as appealed_at,
        lower({{ clean_text('appeal_outcome') }}) as appeal_outcome,
        {{ clean_text('decided_at') }} as decided_at_text,
        {{ clean_text('appealed_at') }} as appealed_at_text
    from raw_rows
),

checked as (
    select
        typed.*,
        case
            {{ reject_if_blank(['decision_id', 'item_id', 'action', 'label'], prefix='typed.') }}
            {{ reject_if_missing_or_unparsable(['decided_at'], prefix='typed.') }}
            when typed.decided_by is null or typed.decided_by not in ('human', 'automated')
                then {{ reject_reason('decided_by_not_human_or_automated') }}
            {{ reject_if_unparsable(['appealed_at'], prefix='typed.') }}
            when typed.appealed_at < typed.decided_at then {{ reject_reason('appealed_at_before_decided_at') }}
            when
                typed.appeal_outcome not in ('upheld', 'overturned')
                then {{ reject_reason('appeal_outcome_not_upheld_or_overturned') }}
            when
                typed.appeal_outcome is not null and typed.appealed_at is null
                then {{ reject_reason('appeal_outcome_without_appealed_at') }}
            when labels.label is null then {{ reject_reason('unknown_label') }}
        end as reject_reason
    from typed
    left join labels on typed.label = labels.label
),

versioned as (
    select
        *,
        {{ version_rank(['decision_id']) }} as version_rank
    from checked
),

final as (
    select
        source_file,
        source_row_number,
        raw_record,
        decision_id,
        item_id,
        action,
        label,
        decided_at,
        decided_by,
        appealed_at,
        appeal_outcome,
        reject_reason,
        {{ is_superseded() }} as is_superseded
    from versioned
)

select * from final
