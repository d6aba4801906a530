-- One row: the raw files and rows the build read and the rows staging rejected, for the Data
-- health page's headline. rejected_share = rejected rows / raw rows (NULL with no raw row).
with

raw_file_inventory as (
    select * from {{ ref('raw_file_inventory') }}
),

rejected_rows as (
    select * from {{ ref('rejected_rows') }}
),

files as (
    select
        count(*) as n_files,
        cast(coalesce(sum(n_rows), 0) as bigint) as n_raw_rows
    from raw_file_inventory
),

rejected as (
    select cast(count(*) as bigint) as n_rejected_rows
    from rejected_rows
),

final as (
    select
        files.n_files,
        files.n_raw_rows,
        rejected.n_rejected_rows,
        {{ safe_divide('rejected.n_rejected_rows', 'files.n_raw_rows') }} as rejected_share
    from files
    cross join rejected
)

select * from final
