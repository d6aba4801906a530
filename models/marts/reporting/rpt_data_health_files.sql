-- One row per raw export file read by the build: its rows counted from the file and the rows
-- staging rejected from it (raw_file_rejects), for the Data health page. rejected_share =
-- rejected / raw rows.
with

raw_file_rejects as (
    select * from {{ ref('raw_file_rejects') }}
),

final as (
    select
        entity,
        source_file,
        file_format,
        n_rows,
        n_rejected,
        {{ safe_divide('n_rejected', 'n_rows') }} as rejected_share
    from raw_file_rejects
)

select * from final
