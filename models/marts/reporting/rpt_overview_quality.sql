-- One row: the Overview's quality headline. Agreement of the latest week and the week before
-- (rpt_agreement_weekly_pooled, every project's items pooled) and the annotators flagged for
-- review: distinct annotators flagged in at least one project (fct_annotator_quality's
-- per-project rows; its project_id = 'all' rows pool the projects and are not counted, so an
-- annotator flagged only on the pooled figures is not flagged here).
with

weekly_pooled as (
    select * from {{ ref('rpt_agreement_weekly_pooled') }}
),

annotator_quality as (
    select * from {{ ref('fct_annotator_quality') }}
    where project_id != 'all'
),

weeks as (
    select
        max(case when weeks_back = 1 then week end) as week,
        max(case when weeks_back = 1 then krippendorff_alpha end) as alpha_week,
        max(case when weeks_back = 2 then krippendorff_alpha end) as alpha_prev_week,
        max(case when weeks_back = 1 then n_items end) as n_items_week
    from weekly_pooled
),

flags as (
    select
        count(distinct case when is_flagged then annotator_id end) as n_flagged_annotators,
        count(distinct annotator_id) as n_annotators
    from annotator_quality
),

final as (
    select
        weeks.week,
        weeks.alpha_week,
        weeks.alpha_prev_week,
        weeks.n_items_week,
        flags.n_flagged_annotators,
        flags.n_annotators
    from weeks
    cross join flags
)

select * from final
