-- One row per raw export file read by the build: its rows counted from the file and the rows
-- staging rejected from it, for the Data health page. rejected_share = rejected / raw rows.
with

raw_file_inventory as (
    select * from {{ ref('raw_file_inventory') }}
),

rejected_rows as (
    select * from {{ ref('rejected_rows') }}
),

rejected_per_file as (
    select
        entity,
        source_file,
        count(*) as n_rejected
    from rejected_rows
    group by entity, source_file
),

final as (
    select
        raw_file_inventory.entity,
        raw_file_inventory.source_file,
        raw_file_inventory.file_format,
        raw_file_inventory.n_rows,
        cast(coalesce(rejected_per_file.n_rejected, 0) as bigint) as n_rejected,
        {{ safe_divide('coalesce(rejected_per_file.n_rejected, 0)', 'raw_file_inventory.n_rows') }}
            as rejected_share
    from raw_file_inventory
    left join rejected_per_file
        on
            raw_file_inventory.entity = rejected_per_file.entity
            and raw_file_inventory.source_file = rejected_per_file.source_file
)

select * from final
