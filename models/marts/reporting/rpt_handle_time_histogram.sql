-- One row per project and handle-time bin: the Throughput page's handle-time histogram.
-- Bins are var report_handle_time_bin_seconds wide starting at 0; handle times of
-- var report_handle_time_cap_seconds and more share the last bin, labelled by
-- the cap. Judgements without a handle time (no started_at) are not counted.
{%- set bin_seconds = var('report_handle_time_bin_seconds') %}
{%- set cap_seconds = var('report_handle_time_cap_seconds') %}
with

annotations as (
    select
        project_id,
        handle_seconds
    from {{ ref('int_annotations') }}
    where handle_seconds is not null
),

binned as (
    select
        project_id,
        least(floor(handle_seconds / {{ bin_seconds }}) * {{ bin_seconds }}, {{ cap_seconds }}) as handle_seconds_bin
    from annotations
),

final as (
    select
        project_id,
        handle_seconds_bin,
        count(*) as n_annotations
    from binned
    group by project_id, handle_seconds_bin
)

select * from final
