-- One row per project and language, plus language = 'all' for the project as a whole: how
-- much annotators agree beyond chance. Every statistic comes from the agreement_statistics
-- macro over the item x label counts; the roll-up is a second copy of the counts labelled
-- 'all' (portable, one aggregation pass instead of GROUPING SETS).
with

item_counts as (
    select * from {{ ref('int_item_category_counts') }}
),

annotations as (
    select * from {{ ref('int_annotations') }}
    where is_latest_judgement
),

counts_with_rollup as {{ not_materialized() }}(
    select
        project_id,
        language,
        item_id,
        label,
        n_votes,
        n_judgements
    from item_counts
    union all
    select
        project_id,
        'all' as language,
        item_id,
        label,
        n_votes,
        n_judgements
    from item_counts
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
        agreement_statistics.gwet_ac1
    from agreement_statistics
    inner join annotators_with_rollup
        on
            agreement_statistics.project_id = annotators_with_rollup.project_id
            and agreement_statistics.language = annotators_with_rollup.language
)

select * from final
