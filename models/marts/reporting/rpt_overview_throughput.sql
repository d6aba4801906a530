-- One row: the Overview's throughput headline, the latest seven days in the warehouse (days_back
-- 0-6 before its last activity day) against the seven before (days_back 7-13), every project
-- pooled. Rates are ratios of the windows' sums (breaches / items completed, timed judgements /
-- active hours), not averages of daily rates; backlogs are the open backlog on the last day and
-- seven days before it.
with

project_daily as (
    select * from {{ ref('fct_project_daily') }}
),

annotator_daily as (
    select * from {{ ref('fct_annotator_daily') }}
),

days as (
    select max(activity_date) as last_day from project_daily
),

project_days as (
    select
        project_daily.*,
        {{ dbt.datediff('project_daily.activity_date', 'days.last_day', 'day') }} as days_back
    from project_daily
    cross join days
),

annotator_days as (
    select
        annotator_daily.n_timed_annotations,
        annotator_daily.active_hours,
        {{ dbt.datediff('annotator_daily.activity_date', 'days.last_day', 'day') }} as days_back
    from annotator_daily
    cross join days
),

project_windows as (
    select
        sum(case when days_back between 0 and 6 then n_annotations end) as n_annotations_week,
        sum(case when days_back between 7 and 13 then n_annotations end) as n_annotations_prev_week,
        sum(case when days_back between 0 and 6 then items_completed end) as items_completed_week,
        sum(case when days_back between 7 and 13 then items_completed end) as items_completed_prev_week,
        sum(case when days_back = 0 then open_backlog end) as open_backlog,
        sum(case when days_back = 7 then open_backlog end) as open_backlog_prev_week,
        {{ safe_divide(
            'sum(case when days_back between 0 and 6 then n_sla_breached end)',
            'sum(case when days_back between 0 and 6 then items_completed end)'
        ) }} as sla_breach_rate_week,
        {{ safe_divide(
            'sum(case when days_back between 7 and 13 then n_sla_breached end)',
            'sum(case when days_back between 7 and 13 then items_completed end)'
        ) }} as sla_breach_rate_prev_week
    from project_days
),

annotator_windows as (
    select
        {{ safe_divide(
            'sum(case when days_back between 0 and 6 then n_timed_annotations end)',
            'sum(case when days_back between 0 and 6 then active_hours end)'
        ) }} as judgements_per_active_hour_week,
        {{ safe_divide(
            'sum(case when days_back between 7 and 13 then n_timed_annotations end)',
            'sum(case when days_back between 7 and 13 then active_hours end)'
        ) }} as judgements_per_active_hour_prev_week
    from annotator_days
),

final as (
    select
        days.last_day,
        project_windows.n_annotations_week,
        project_windows.n_annotations_prev_week,
        project_windows.items_completed_week,
        project_windows.items_completed_prev_week,
        project_windows.open_backlog,
        project_windows.open_backlog_prev_week,
        project_windows.sla_breach_rate_week,
        project_windows.sla_breach_rate_prev_week,
        annotator_windows.judgements_per_active_hour_week,
        annotator_windows.judgements_per_active_hour_prev_week
    from days
    cross join project_windows
    cross join annotator_windows
)

select * from final
