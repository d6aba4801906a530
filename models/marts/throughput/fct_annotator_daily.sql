-- One row per annotator, project and UTC day with judgements: volume, active hours (the union
-- of the day's working intervals), throughput per active hour and handle-time percentiles.
with

annotations as (
    select * from {{ ref('int_annotations') }}
),

active_intervals as (
    select * from {{ ref('int_annotator_active_intervals') }}
),

daily_volume as (
    select
        annotator_id,
        project_id,
        submitted_date,
        count(*) as n_annotations,
        count(handle_seconds) as n_timed_annotations,
        {{ percentile_cont('handle_seconds', 0.5) }} as median_handle_seconds,
        {{ percentile_cont('handle_seconds', 0.9) }} as p90_handle_seconds
    from annotations
    group by annotator_id, project_id, submitted_date
),

daily_active_time as (
    select
        annotator_id,
        project_id,
        submitted_date,
        sum(island_seconds) as active_seconds
    from active_intervals
    group by annotator_id, project_id, submitted_date
),

final as (
    select
        daily_volume.annotator_id,
        daily_volume.project_id,
        daily_volume.submitted_date as activity_date,
        daily_volume.n_annotations,
        daily_volume.n_timed_annotations,
        daily_active_time.active_seconds / 3600.0 as active_hours,
        case
            when daily_active_time.active_seconds > 0
                then daily_volume.n_timed_annotations / (daily_active_time.active_seconds / 3600.0)
        end as annotations_per_active_hour,
        daily_volume.median_handle_seconds,
        daily_volume.p90_handle_seconds
    from daily_volume
    left join daily_active_time
        on
            daily_volume.annotator_id = daily_active_time.annotator_id
            and daily_volume.project_id = daily_active_time.project_id
            and daily_volume.submitted_date = daily_active_time.submitted_date
)

select * from final
