-- One row per project and language, plus language = 'all' for the project as a whole: how
-- much annotators agree beyond chance. Every figure comes from the agreement_by_group macro
-- over the items' count patterns (int_agreement_count_patterns: items with the same label
-- counts are one weighted unit), both grains from one GROUPING SETS pass. Ordinal and
-- interval alpha use the labels' severities and are NULL for a project whose severity scale
-- is incomplete (int_project_severity_scale).
with

patterns as (
    select * from {{ ref('int_agreement_count_patterns') }}
),

severity_scale as (
    select * from {{ ref('int_project_severity_scale') }}
),

annotations as (
    select * from {{ ref('int_annotations') }}
    where is_latest_judgement
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
        case when grouping(language) = 1 then 'all' else language end as language,
        -- distinct: an annotator working in two languages counts once in the 'all' roll-up
        cast(count(distinct annotator_id) as bigint) as n_annotators
    from annotator_languages
    group by grouping sets ((project_id, language), (project_id))
),

{{ agreement_by_group('patterns', 'severity_scale', ['project_id', 'language']) }},

final as (
    select
        agreement.project_id,
        agreement.language,
        agreement.n_units as n_items,
        agreement.n_units_rated as n_items_judged,
        agreement.n_values_all as n_annotations,
        agreement.n_values as n_pairable_annotations,
        annotators_with_rollup.n_annotators,
        agreement.n_categories,
        {{ agreement_figure_columns('agreement') }},
        agreement.raters_per_item,
        agreement.raters_needed_for_target
    from agreement_by_group as agreement
    inner join annotators_with_rollup
        on
            agreement.project_id = annotators_with_rollup.project_id
            and agreement.language = annotators_with_rollup.language
)

select * from final
