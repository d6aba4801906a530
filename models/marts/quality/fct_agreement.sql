-- One row per project and language, plus language = 'all' for the project as a whole: how
-- much annotators agree beyond chance. Every statistic comes from the agreement_statistics
-- macro over the item x label counts; the roll-up is a second copy of the counts labelled
-- 'all' (portable, one aggregation pass instead of GROUPING SETS). Ordinal and interval alpha
-- use the labels' severities and are NULL for a project where any judged label has none.
with

item_counts as (
    select * from {{ ref('int_item_category_counts') }}
),

labels as (
    select * from {{ ref('stg_raw__labels') }}
),

annotations as (
    select * from {{ ref('int_annotations') }}
    where is_latest_judgement
),

counts_with_severity as {{ not_materialized() }}(
    select
        item_counts.project_id,
        item_counts.language,
        item_counts.item_id,
        item_counts.label,
        item_counts.n_votes,
        item_counts.n_judgements,
        labels.severity
    from item_counts
    left join labels
        on item_counts.label = labels.label
),

counts_with_rollup as {{ not_materialized() }}(
    select
        project_id,
        language,
        item_id,
        label,
        n_votes,
        n_judgements,
        severity
    from counts_with_severity
    union all
    select
        project_id,
        'all' as language,
        item_id,
        label,
        n_votes,
        n_judgements,
        severity
    from counts_with_severity
),

annotator_languages as (
    select distinct
        project_id,
        language,
        annotator_id
    from annotations
),

annotators_with_rollup as (
    select
        project_id,
        language,
        cast(count(*) as bigint) as n_annotators
    from annotator_languages
    group by project_id, language
    union all
    select
        project_id,
        'all' as language,
        cast(count(distinct annotator_id) as bigint) as n_annotators
    from annotator_languages
    group by project_id
),

{{ agreement_statistics(
    'counts_with_rollup', ['project_id', 'language'], total_col='n_judgements'
) }},

{{ metric_alpha_statistics('counts_with_rollup', ['project_id', 'language']) }},

projects_with_severity as (
    {{ projects_with_severity('agreement_categories', 'labels') }}
),

final as (
    select
        agreement_statistics.project_id,
        agreement_statistics.language,
        agreement_statistics.n_units as n_items,
        agreement_statistics.n_units_rated as n_items_judged,
        agreement_statistics.n_values_all as n_annotations,
        agreement_statistics.n_values as n_pairable_annotations,
        annotators_with_rollup.n_annotators,
        agreement_statistics.n_categories,
        agreement_statistics.percent_agreement,
        agreement_statistics.fleiss_kappa,
        agreement_statistics.fleiss_kappa_ci_low,
        agreement_statistics.fleiss_kappa_ci_high,
        agreement_statistics.krippendorff_alpha,
        agreement_statistics.krippendorff_alpha_ci_low,
        agreement_statistics.krippendorff_alpha_ci_high,
        agreement_statistics.gwet_ac1,
        {%- for col in ['ordinal', 'ordinal_ci_low', 'ordinal_ci_high', 'interval', 'interval_ci_low',
            'interval_ci_high'] %}
            case
                when projects_with_severity.project_id is not null
                    then metric_alpha_statistics.krippendorff_alpha_{{ col }}
            end as krippendorff_alpha_{{ col }},
        {%- endfor %}
        case
            when agreement_statistics.n_units > 0
                then cast(agreement_statistics.n_values as double) / agreement_statistics.n_units
        end as raters_per_item,
        {{ raters_needed_for_reliability('agreement_statistics.krippendorff_alpha', var('target_reliability')) }}
            as raters_needed_for_target
    from agreement_statistics
    inner join annotators_with_rollup
        on
            agreement_statistics.project_id = annotators_with_rollup.project_id
            and agreement_statistics.language = annotators_with_rollup.language
    left join metric_alpha_statistics
        on
            agreement_statistics.project_id = metric_alpha_statistics.project_id
            and agreement_statistics.language = metric_alpha_statistics.language
    left join projects_with_severity
        on agreement_statistics.project_id = projects_with_severity.project_id
)

select * from final
