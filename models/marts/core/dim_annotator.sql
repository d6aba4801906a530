-- One row per annotator (pseudonymous id as exported): vendor, site, languages and activity.
with

annotators as (
    select * from {{ ref('stg_raw__annotators') }}
),

annotations as (
    select * from {{ ref('int_annotations') }}
),

activity as (
    select
        annotator_id,
        count(*) as n_annotations,
        count(distinct project_id) as n_projects,
        min(submitted_at) as first_submitted_at,
        max(submitted_at) as last_submitted_at
    from annotations
    group by annotator_id
),

annotator_ids as (
    select annotator_id from annotators
    union
    select annotator_id from activity
),

final as (
    select
        annotator_ids.annotator_id,
        annotators.vendor,
        annotators.site,
        annotators.languages,
        annotators.started_on,
        coalesce(activity.n_annotations, 0) as n_annotations,
        coalesce(activity.n_projects, 0) as n_projects,
        activity.first_submitted_at,
        activity.last_submitted_at
    from annotator_ids
    left join annotators on annotator_ids.annotator_id = annotators.annotator_id
    left join activity on annotator_ids.annotator_id = activity.annotator_id
)

select * from final
