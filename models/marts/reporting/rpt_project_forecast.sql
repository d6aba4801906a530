-- One row per project with activity: the Throughput page's delivery forecast as of the
-- project's latest activity day in fct_project_daily (each project its own latest day), with
-- the project's name and target from dim_project.
with

project_daily as (
    select * from {{ ref('fct_project_daily') }}
),

projects as (
    select * from {{ ref('dim_project') }}
),

latest as (
    select
        project_id,
        max(activity_date) as as_of
    from project_daily
    group by project_id
),

final as (
    select
        latest.as_of,
        latest.project_id,
        projects.project_name,
        projects.target_items,
        project_daily.cumulative_completed,
        project_daily.remaining_items,
        project_daily.completion_rate_per_day,
        project_daily.forecast_completion_date,
        project_daily.due_date,
        project_daily.is_on_track
    from latest
    inner join project_daily
        on latest.project_id = project_daily.project_id and latest.as_of = project_daily.activity_date
    left join projects on latest.project_id = projects.project_id
)

select * from final
