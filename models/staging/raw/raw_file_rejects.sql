-- One row per raw export file read by the build (entity, source_file): its rows counted straight
-- from the file (raw_file_inventory) and the rows staging rejected from it (rejected_rows; 0 when
-- none). The one per-file count of rejected rows, read by rpt_data_health_files and by fct_alerts'
-- rejected-share test. A model of its own: raw_file_inventory stays independent of staging.
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
        cast(coalesce(rejected_per_file.n_rejected, 0) as bigint) as n_rejected
    from raw_file_inventory
    left join rejected_per_file
        on
            raw_file_inventory.entity = rejected_per_file.entity
            and raw_file_inventory.source_file = rejected_per_file.source_file
)

select * from final
