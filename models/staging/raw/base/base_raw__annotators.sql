-- Every raw annotator row, typed, with its reject reason and supersession flag.
with

raw_rows as (
    select * from {{ ref('land_raw__annotators') }}
),

typed as (
    select
        source_file,
        source_row_number,
        {{ json_record(contract_columns('annotators')) }} as raw_record,
        {{ clean_text('annotator_id') }} as annotator_id,
        {{ clean_text('vendor') }} as vendor,
        {{ clean_text('site') }} as site,
        {{ clean_text('languages') }} as languages,
        {{ try_cast_to('trim(started_on)', 'date') }} as started_on,
        {{ clean_text('started_on') }} as started_on_text
    from raw_rows
),

checked as (
    select
        *,
        case
            {{ reject_if_blank(['annotator_id']) }}
            {{ reject_if_unparsable(['started_on']) }}
        end as reject_reason
    from typed
),

versioned as (
    select
        *,
        {{ version_rank(['annotator_id']) }} as version_rank
    from checked
),

final as (
    select
        source_file,
        source_row_number,
        raw_record,
        annotator_id,
        vendor,
        site,
        languages,
        started_on,
        reject_reason,
        {{ is_superseded() }} as is_superseded
    from versioned
)

select * from final
