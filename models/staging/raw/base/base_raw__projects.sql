-- Every raw project row, typed, with the reason it is rejected (NULL when it is kept) and
-- whether a later row of the same project_id supersedes it.
with

raw_rows as (
    select * from {{ ref('land_raw__projects') }}
),

typed as (
    select
        source_file,
        source_row_number,
        {{ json_record(contract_columns('projects')) }}
            as raw_record,
        {{ clean_text('project_id') }} as project_id,
        {{ clean_text('name') }} as project_name,
        {{ try_cast_to('trim(labels_per_item)', 'integer') }} as labels_per_item,
        {{ try_cast_to('trim(target_items)', 'integer') }} as target_items,
        {{ try_cast_to('trim(due_date)', 'date') }} as due_date,
        {{ try_cast_to('trim(sla_hours)', 'double') }} as sla_hours,
        {{ clean_text('labels_per_item') }} as labels_per_item_text,
        {{ clean_text('target_items') }} as target_items_text,
        {{ clean_text('due_date') }} as due_date_text,
        {{ clean_text('sla_hours') }} as sla_hours_text
    from raw_rows
),

checked as (
    select
        *,
        case
            {{ reject_if_blank(['project_id']) }}
            {{ reject_if_unparsable(['labels_per_item']) }}
            when labels_per_item < 1 then {{ reject_reason('labels_per_item_below_1') }}
            {{ reject_if_unparsable(['target_items', 'due_date', 'sla_hours']) }}
            when sla_hours <= 0 then {{ reject_reason('sla_hours_not_positive') }}
        end as reject_reason
    from typed
),

versioned as (
    select
        *,
        {{ version_rank(['project_id']) }} as version_rank
    from checked
),

final as (
    select
        source_file,
        source_row_number,
        raw_record,
        project_id,
        project_name,
        labels_per_item,
        target_items,
        due_date,
        sla_hours,
        reject_reason,
        {{ is_superseded() }} as is_superseded
    from versioned
)

select * from final
