-- One row per project and UTC day, from the project's first item (or first judgement) to the last day with any
-- judgement in the warehouse: items created and completed, the open backlog at the end of the
-- day, turnaround percentiles and SLA breaches of the items completed that day, and a delivery
-- forecast from the trailing completion rate.
with

item_completion as (
    select * from {{ ref('int_item_completion') }}
),

annotations as (
    select * from {{ ref('int_annotations') }}
),

projects as (
    select * from {{ ref('stg_raw__projects') }}
),

skips as (
    select * from {{ ref('stg_raw__annotation_skips') }}
),

as_of as (
    select max(submitted_date) as last_day from annotations
),

first_days as (
    select
        project_id,
        min(cast(created_at as date)) as first_day
    from item_completion
    where created_at is not null
    group by project_id
    union all
    -- without an items export, a project starts with its first judgement
    select
        project_id,
        min(submitted_date) as first_day
    from annotations
    group by project_id
),

project_span as (
    select
        project_id,
        min(first_day) as first_day
    from first_days
    group by project_id
),

days as (
    select day
    from {{ date_spine_days('(select min(first_day) from project_span)', '(select max(last_day) from as_of)') }}
),

project_days as (
    select
        project_span.project_id,
        days.day
    from project_span
    inner join days on project_span.first_day <= days.day
),

created_per_day as (
    select
        project_id,
        cast(created_at as date) as day,
        count(*) as items_created
    from item_completion
    where created_at is not null
    group by project_id, cast(created_at as date)
),

completed_per_day as (
    select
        project_id,
        cast(completed_at as date) as day,
        count(*) as items_completed,
        count(created_at) as items_completed_with_created_at,
        {{ percentile_cont('turnaround_hours', 0.5) }} as median_turnaround_hours,
        {{ percentile_cont('turnaround_hours', 0.9) }} as p90_turnaround_hours,
        count(case when turnaround_hours is not null and sla_hours is not null then 1 end) as n_sla_measured,
        count(case when turnaround_hours > sla_hours then 1 end) as n_sla_breached
    from item_completion
    where completed_at is not null
    group by project_id, cast(completed_at as date)
),

annotations_per_day as (
    select
        project_id,
        submitted_date as day,
        count(*) as n_annotations,
        count(distinct annotator_id) as n_active_annotators
    from annotations
    group by project_id, submitted_date
),

skips_per_day as (
    select
        project_id,
        cast(skipped_at as date) as day,
        count(*) as n_skips
    from skips
    where skipped_at is not null
    group by project_id, cast(skipped_at as date)
),

daily as (
    select
        project_days.project_id,
        project_days.day,
        coalesce(created_per_day.items_created, 0) as items_created,
        coalesce(completed_per_day.items_completed, 0) as items_completed,
        coalesce(completed_per_day.items_completed_with_created_at, 0) as items_completed_with_created_at,
        coalesce(annotations_per_day.n_annotations, 0) as n_annotations,
        coalesce(annotations_per_day.n_active_annotators, 0) as n_active_annotators,
        coalesce(skips_per_day.n_skips, 0) as n_skips,
        completed_per_day.median_turnaround_hours,
        completed_per_day.p90_turnaround_hours,
        coalesce(completed_per_day.n_sla_measured, 0) as n_sla_measured,
        coalesce(completed_per_day.n_sla_breached, 0) as n_sla_breached
    from project_days
    left join created_per_day
        on project_days.project_id = created_per_day.project_id and project_days.day = created_per_day.day
    left join completed_per_day
        on project_days.project_id = completed_per_day.project_id and project_days.day = completed_per_day.day
    left join annotations_per_day
        on project_days.project_id = annotations_per_day.project_id
            and project_days.day = annotations_per_day.day
    left join skips_per_day
        on project_days.project_id = skips_per_day.project_id
            and project_days.day = skips_per_day.day
),

cumulative as (
    select
        *,
        sum(items_created) over (
            partition by project_id order by day rows between unbounded preceding and current row
        ) as cumulative_created,
        sum(items_completed) over (
            partition by project_id order by day rows between unbounded preceding and current row
        ) as cumulative_completed,
        sum(items_completed_with_created_at) over (
            partition by project_id order by day rows between unbounded preceding and current row
        ) as cumulative_completed_with_created_at,
        sum(items_completed) over (
            partition by project_id order by day
            rows between {{ [(var('forecast_window_days') | int) - 1, 0] | max }} preceding and current row
        ) as trailing_completed
    from daily
),

forecast as (
    select
        cumulative.*,
        cast(cumulative.trailing_completed as double) / {{ var('forecast_window_days') }} as completion_rate_per_day,
        greatest(
            coalesce(projects.target_items, cumulative.cumulative_created) - cumulative.cumulative_completed, 0
        ) as remaining_items,
        projects.due_date
    from cumulative
    left join projects on cumulative.project_id = projects.project_id
),

final as (
    select
        project_id,
        day as activity_date,
        items_created,
        items_completed,
        n_annotations,
        n_active_annotators,
        n_skips,
        {{ safe_divide('n_skips', 'n_annotations + n_skips') }} as skip_rate,
        cast(cumulative_created as bigint) as cumulative_created,
        cast(cumulative_completed as bigint) as cumulative_completed,
        cast(cumulative_created - cumulative_completed_with_created_at as bigint) as open_backlog,
        median_turnaround_hours,
        p90_turnaround_hours,
        n_sla_breached,
        n_sla_measured,
        {{ safe_divide('n_sla_breached', 'n_sla_measured') }} as sla_breach_rate,
        completion_rate_per_day,
        cast(remaining_items as bigint) as remaining_items,
        case
            when remaining_items = 0 then day
            when completion_rate_per_day > 0
                then cast(day + cast(ceil(remaining_items / completion_rate_per_day) as integer) as date)
        end as forecast_completion_date,
        due_date,
        case
            when remaining_items = 0 then true
            when completion_rate_per_day > 0 and due_date is not null
                then cast(day + cast(ceil(remaining_items / completion_rate_per_day) as integer) as date)
                    <= due_date
        end as is_on_track
    from forecast
)

select * from final
