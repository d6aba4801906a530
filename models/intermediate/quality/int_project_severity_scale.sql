-- One row per project and label judged in it: the label's severity, its position on the
-- project's severity scale, and whether the scale is complete (every judged label of the
-- project has a severity). The one definition of a project's severity scale: ordinal and
-- interval alpha (fct_agreement, fct_agreement_weekly) and the weighted kappas
-- (fct_annotator_pair_agreement) are defined only where it is complete, NULL elsewhere.
with

patterns as (
    select * from {{ ref('int_agreement_count_patterns') }}
),

labels as (
    select * from {{ ref('stg_raw__labels') }}
),

judged_labels as (
    -- every label any counted (latest) judgement of the project gave
    select distinct
        project_id,
        label
    from patterns
),

project_labels as (
    select
        judged_labels.project_id,
        judged_labels.label,
        labels.severity,
        count(labels.severity) over (partition by judged_labels.project_id)
        = count(*) over (partition by judged_labels.project_id) as has_complete_severity_scale
    from judged_labels
    left join labels
        on judged_labels.label = labels.label
),

final as (
    select
        project_id,
        label,
        severity,
        has_complete_severity_scale,
        -- 0-based position among the project's distinct severities (labels sharing a severity
        -- share a position); NULL where the scale is incomplete
        case
            when has_complete_severity_scale
                then dense_rank() over (partition by project_id, has_complete_severity_scale order by severity) - 1
        end as severity_position
    from project_labels
)

select * from final
