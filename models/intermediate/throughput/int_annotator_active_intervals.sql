-- One row per annotator, project, UTC day and island of working time: the union of the day's
-- [started_at, submitted_at] intervals, so overlapping or concurrent tasks count once.
-- A day is the UTC day of submitted_at; judgements without started_at have no interval.
with

annotations as (
    select * from {{ ref('int_annotations') }}
    where started_at is not null
),

ordered as (
    select
        annotator_id,
        project_id,
        submitted_date,
        started_at,
        submitted_at,
        max(submitted_at) over (
            partition by annotator_id, project_id, submitted_date
            order by started_at, submitted_at
            rows between unbounded preceding and 1 preceding
        ) as previous_max_end
    from annotations
),

island_starts as (
    select
        *,
        case when previous_max_end is null or started_at > previous_max_end then 1 else 0 end as starts_island
    from ordered
),

islands as (
    select
        *,
        sum(starts_island) over (
            partition by annotator_id, project_id, submitted_date
            order by started_at, submitted_at
            rows between unbounded preceding and current row
        ) as island_number
    from island_starts
),

final as (
    select
        annotator_id,
        project_id,
        submitted_date,
        island_number,
        min(started_at) as island_started_at,
        max(submitted_at) as island_ended_at,
        {{ epoch_seconds_between('min(started_at)', 'max(submitted_at)') }} as island_seconds
    from islands
    group by annotator_id, project_id, submitted_date, island_number
)

select * from final
