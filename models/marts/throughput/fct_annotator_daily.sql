-- One row per annotator, project and UTC day with judgements or skips: volume, skips, active
-- hours (the union of the day's working intervals), throughput per active hour and handle-time
-- percentiles.
with

annotations as (
    select * from {{ ref('int_annotations') }}
),

active_intervals as (
    select * from {{ ref('int_annotator_active_intervals') }}
),

skips as (
    select * from {{ ref('stg_raw__annotation_skips') }}
),

ranked_handle_times as (
    -- each handle time's rank within its annotator-day: the percentiles are read off the ranks
    -- (macro percentile_from_ranks), a sort that spills, not a holistic aggregate that cannot
    select
        annotator_id,
        project_id,
        submitted_date,
        handle_seconds,
        -- NULLs rank after the n_timed values, so the percentiles never read them
        row_number() over (
            partition by annotator_id, project_id, submitted_date order by handle_seconds asc nulls last
        ) as handle_rank,
        count(handle_seconds) over (partition by annotator_id, project_id, submitted_date) as n_timed
    from annotations
),

daily_volume as (
    select
        annotator_id,
        project_id,
        submitted_date,
        count(*) as n_annotations,
        count(handle_seconds) as n_timed_annotations,
        {{ percentile_from_ranks('handle_seconds', 'handle_rank', 'n_timed', 0.5) }} as median_handle_seconds,
        {{ percentile_from_ranks('handle_seconds', 'handle_rank', 'n_timed', 0.9) }} as p90_handle_seconds
    from ranked_handle_times
    group by annotator_id, project_id, submitted_date
),

daily_active_time as (
    select
        annotator_id,
        project_id,
        submitted_date,
        active_seconds
    from active_intervals
),

daily_skips as (
    select
        annotator_id,
        project_id,
        cast(skipped_at as date) as skipped_date,
        count(*) as n_skips
    from skips
    where skipped_at is not null
    group by annotator_id, project_id, cast(skipped_at as date)
),

annotator_days as (
    select
        annotator_id,
        project_id,
        submitted_date as activity_date
    from daily_volume
    union
    select
        annotator_id,
        project_id,
        skipped_date as activity_date
    from daily_skips
),

final as (
    select
        annotator_days.annotator_id,
        annotator_days.project_id,
        annotator_days.activity_date,
        coalesce(daily_volume.n_annotations, 0) as n_annotations,
        coalesce(daily_volume.n_timed_annotations, 0) as n_timed_annotations,
        coalesce(daily_skips.n_skips, 0) as n_skips,
        {{ safe_divide('coalesce(daily_skips.n_skips, 0)',
            'coalesce(daily_volume.n_annotations, 0) + coalesce(daily_skips.n_skips, 0)') }} as skip_rate,
        daily_active_time.active_seconds / 3600.0 as active_hours,
        {{ safe_divide('daily_volume.n_timed_annotations', 'daily_active_time.active_seconds / 3600.0') }}
            as annotations_per_active_hour,
        daily_volume.median_handle_seconds,
        daily_volume.p90_handle_seconds
    from annotator_days
    left join daily_volume
        on
            annotator_days.annotator_id = daily_volume.annotator_id
            and annotator_days.project_id = daily_volume.project_id
            and annotator_days.activity_date = daily_volume.submitted_date
    left join daily_active_time
        on
            annotator_days.annotator_id = daily_active_time.annotator_id
            and annotator_days.project_id = daily_active_time.project_id
            and annotator_days.activity_date = daily_active_time.submitted_date
    left join daily_skips
        on
            annotator_days.annotator_id = daily_skips.annotator_id
            and annotator_days.project_id = daily_skips.project_id
            and annotator_days.activity_date = daily_skips.skipped_date
)

select * from final
