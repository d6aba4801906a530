-- What changed in the week a project's agreement dropped?
--
-- Picks the week (var analysis_project_id / analysis_week, default: the project-week with the
-- largest week-over-week fall of Krippendorff's alpha in fct_agreement_weekly, all languages)
-- and compares it with the previous week along four dimensions: annotator, vendor, language
-- and label (the judgement's label). For each value: judgements in both weeks, agreement with
-- the leave-one-out consensus in both weeks, and its contribution to the change of the
-- overall agreement-with-consensus rate:
--     contribution = share_this_week * rate_this_week - share_previous_week * rate_previous_week
-- (the contributions of one dimension add up to the overall change, so the biggest negative
-- ones say where the drop came from: a new or degraded annotator, a vendor, a language that
-- grew, a label that became contested). Items belong to the week of their first judgement,
-- as in fct_agreement_weekly.
--
-- Re-run: dbt compile -s agreement_drop_root_cause --vars '{analysis_project_id: p, analysis_week: 2026-10-05}'
-- and run the compiled SQL.
with

weekly as (
    select * from {{ ref('fct_agreement_weekly') }}
    where language = 'all'
),

judgements as (
    select * from {{ ref('int_judgement_quality') }}
),

item_weeks as (
    select distinct
        item_id,
        item_week
    from {{ ref('int_item_category_counts') }}
),

annotators as (
    select * from {{ ref('stg_raw__annotators') }}
),

week_over_week as (
    select
        project_id,
        week,
        krippendorff_alpha,
        krippendorff_alpha - lag(krippendorff_alpha) over (partition by project_id order by week) as alpha_change
    from weekly
),

chosen_week as (
    select
        project_id,
        week
    from (
        select
            project_id,
            week,
            row_number() over (order by alpha_change asc) as drop_rank
        from week_over_week
        {%- if var('analysis_project_id') and var('analysis_week') %}
            where
                project_id = '{{ var("analysis_project_id") }}'
                and week = cast('{{ var("analysis_week") }}' as date)
        {%- else %}
            where alpha_change is not null
        {%- endif %}
    ) as ranked
    where drop_rank = 1
),

compared as (
    -- the chosen week's and the previous week's judgements that had a consensus to agree with
    select
        case when item_weeks.item_week = chosen_week.week then 'this_week' else 'previous_week' end as period,
        judgements.annotator_id,
        coalesce(annotators.vendor, 'unknown') as vendor,
        judgements.language,
        judgements.label,
        case when judgements.consensus_outcome = 'agree' then 1.0 else 0.0 end as agrees
    from judgements
    inner join item_weeks on judgements.item_id = item_weeks.item_id
    inner join chosen_week
        on
            judgements.project_id = chosen_week.project_id
            and item_weeks.item_week in (chosen_week.week, chosen_week.week - interval 7 day)
    left join annotators on judgements.annotator_id = annotators.annotator_id
    where judgements.consensus_outcome in ('agree', 'disagree')
),

by_dimension as (
    select
        'annotator' as dimension,
        annotator_id as dimension_value,
        period,
        agrees
    from compared
    union all
    select
        'vendor' as dimension,
        vendor as dimension_value,
        period,
        agrees
    from compared
    union all
    select
        'language' as dimension,
        language as dimension_value,
        period,
        agrees
    from compared
    union all
    select
        'label' as dimension,
        label as dimension_value,
        period,
        agrees
    from compared
),

period_totals as (
    select
        period,
        count(*) as n_judgements
    from compared
    group by period
),

per_value as (
    select
        by_dimension.dimension,
        by_dimension.dimension_value,
        sum(case when by_dimension.period = 'this_week' then 1 else 0 end) as n_this_week,
        sum(case when by_dimension.period = 'previous_week' then 1 else 0 end) as n_previous_week,
        avg(case when by_dimension.period = 'this_week' then by_dimension.agrees end) as agreement_this_week,
        avg(case when by_dimension.period = 'previous_week' then by_dimension.agrees end) as agreement_previous_week
    from by_dimension
    group by by_dimension.dimension, by_dimension.dimension_value
),

final as (
    select
        chosen_week.project_id,
        chosen_week.week,
        per_value.dimension,
        per_value.dimension_value,
        per_value.n_this_week,
        per_value.n_previous_week,
        per_value.agreement_this_week,
        per_value.agreement_previous_week,
        coalesce(cast(per_value.n_this_week as double) / this_week.n_judgements * per_value.agreement_this_week, 0)
        - coalesce(
            cast(per_value.n_previous_week as double) / previous_week.n_judgements * per_value.agreement_previous_week,
            0
        ) as contribution_to_change
    from per_value
    cross join chosen_week
    left join period_totals as this_week on this_week.period = 'this_week'
    left join period_totals as previous_week on previous_week.period = 'previous_week'
)

select * from final
order by dimension, contribution_to_change
