-- One row per project and UTC week (Monday): the Overview's weekly volume and the Throughput
-- page's weekly rate and SLA charts. Rates are ratios of the week's sums (timed judgements /
-- active hours, breaches / items completed), not averages of daily rates.
with

project_daily as (
    select * from {{ ref('fct_project_daily') }}
),

annotator_daily as (
    select * from {{ ref('fct_annotator_daily') }}
),

project_weeks as (
    select
        project_id,
        cast({{ dbt.date_trunc('week', 'activity_date') }} as date) as week,
        cast(sum(n_annotations) as bigint) as n_annotations,
        cast(sum(n_sla_breached) as bigint) as n_sla_breached,
        cast(sum(items_completed) as bigint) as items_completed
    from project_daily
    group by project_id, cast({{ dbt.date_trunc('week', 'activity_date') }} as date)
),

annotator_weeks as (
    select
        project_id,
        cast({{ dbt.date_trunc('week', 'activity_date') }} as date) as week,
        cast(sum(n_timed_annotations) as bigint) as n_timed_annotations,
        sum(active_hours) as active_hours,
        count(distinct annotator_id) as n_annotators
    from annotator_daily
    group by project_id, cast({{ dbt.date_trunc('week', 'activity_date') }} as date)
),

final as (
    select
        coalesce(project_weeks.project_id, annotator_weeks.project_id) as project_id,
        coalesce(project_weeks.week, annotator_weeks.week) as week,
        coalesce(project_weeks.n_annotations, 0) as n_annotations,
        coalesce(annotator_weeks.n_timed_annotations, 0) as n_timed_annotations,
        annotator_weeks.active_hours,
        {{ safe_divide('annotator_weeks.n_timed_annotations', 'annotator_weeks.active_hours') }}
            as annotations_per_active_hour,
        coalesce(annotator_weeks.n_annotators, 0) as n_annotators,
        coalesce(project_weeks.n_sla_breached, 0) as n_sla_breached,
        coalesce(project_weeks.items_completed, 0) as items_completed,
        {{ safe_divide('project_weeks.n_sla_breached', 'project_weeks.items_completed') }} as sla_breach_rate
    from project_weeks
    full outer join annotator_weeks
        on project_weeks.project_id = annotator_weeks.project_id and project_weeks.week = annotator_weeks.week
)

select * from final
