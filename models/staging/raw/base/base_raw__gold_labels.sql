-- Every raw gold (honeypot or expert) label, typed, with its reject reason and supersession
-- flag: one gold label per item, the latest labelled_at (then the later file) wins.
with

raw_rows as (
    select * from {{ ref('land_raw__gold_labels') }}
),

labels as (
    select label from {{ ref('stg_raw__labels') }}
),

typed as (
    select
        source_file,
        source_row_number,
        {{ json_record(contract_columns('gold_labels')) }} as raw_record,
        {{ clean_text('item_id') }} as item_id,
        {{ normalise_label('label') }} as label,
        {{ clean_text('project_id') }} as project_id,
        {{ clean_text('source') }} as gold_source,
        {{ to_utc_timestamp('trim(labelled_at)') }} as labelled_at,
        {{ clean_text('labelled_at') }} as labelled_at_text
    from raw_rows
),

checked as (
    select
        typed.*,
        case
            {{ reject_if_blank(['item_id', 'label'], prefix='typed.') }}
            {{ reject_if_unparsable(['labelled_at'], prefix='typed.') }}
            when labels.label is null then {{ reject_reason('unknown_label') }}
        end as reject_reason
    from typed
    left join labels on typed.label = labels.label
),

versioned as (
    select
        *,
        {{ version_rank(['item_id'], latest_first=['labelled_at']) }} as version_rank
    from checked
),

final as (
    select
        source_file,
        source_row_number,
        raw_record,
        item_id,
        label,
        project_id,
        gold_source,
        labelled_at,
        reject_reason,
        {{ is_superseded() }} as is_superseded
    from versioned
)

select * from final
