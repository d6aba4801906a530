-- One row per project and consecutive pair of guideline versions (versions ordered by their
-- first judgement in the project, ties by name): judgements, Krippendorff's alpha (nominal),
-- gold accuracy and skip rate under each, and the differences (version minus previous_version)
-- with 95% intervals and p-values: alpha by the delete-one-item jackknife (z test on the
-- difference, se = sqrt(se_1^2 + se_2^2)), gold accuracy by Newcombe's hybrid score interval
-- and the pooled two-proportion z test. A skip carries no version: it counts under the version
-- whose period (from its first judgement to the next version's first) holds its skipped_at.
-- Reads the per-version item counts (int_guideline_version_item_counts), gold labels and skips.
with

-- read three times, scanned each time: DuckDB would buffer a CTE read more than once whole
-- (4.7M rows at 10M)
version_counts as {{ not_materialized() }}(
    select * from {{ ref('int_guideline_version_item_counts') }}
),

gold_labels as (
    select * from {{ ref('stg_raw__gold_labels') }}
),

skips as (
    select * from {{ ref('stg_raw__annotation_skips') }}
),

{{ agreement_statistics('version_counts', ['project_id', 'guideline_version'], prefix='version_agreement') }},

version_volume as (
    select
        project_id,
        guideline_version,
        cast(sum(n_votes) as bigint) as n_judgements,
        min(first_submitted_at) as first_submitted_at
    from version_counts
    group by project_id, guideline_version
),

ordered_versions as (
    select
        project_id,
        guideline_version,
        n_judgements,
        first_submitted_at,
        row_number() over (partition by project_id order by first_submitted_at, guideline_version) as version_order,
        lead(first_submitted_at) over (
            partition by project_id order by first_submitted_at, guideline_version
        ) as next_first_submitted_at
    from version_volume
),

version_gold as (
    select
        version_counts.project_id,
        version_counts.guideline_version,
        cast(sum(version_counts.n_votes) as bigint) as n_gold_judgements,
        cast(
            sum(case when version_counts.label = gold_labels.label then version_counts.n_votes else 0 end)
            as bigint
        ) as n_gold_correct
    from version_counts
    inner join gold_labels on version_counts.item_id = gold_labels.item_id
    group by version_counts.project_id, version_counts.guideline_version
),

version_skips as (
    select
        ordered_versions.project_id,
        ordered_versions.guideline_version,
        cast(count(*) as bigint) as n_skips
    from skips
    inner join ordered_versions
        on
            skips.project_id = ordered_versions.project_id
            and skips.skipped_at >= ordered_versions.first_submitted_at
            and (
                ordered_versions.next_first_submitted_at is null
                or skips.skipped_at < ordered_versions.next_first_submitted_at
            )
    group by ordered_versions.project_id, ordered_versions.guideline_version
),

versions as (
    select
        ordered_versions.project_id,
        ordered_versions.guideline_version,
        ordered_versions.version_order,
        ordered_versions.first_submitted_at,
        ordered_versions.n_judgements,
        coalesce(version_skips.n_skips, 0) as n_skips,
        coalesce(version_gold.n_gold_judgements, 0) as n_gold_judgements,
        coalesce(version_gold.n_gold_correct, 0) as n_gold_correct,
        point.krippendorff_alpha,
        case
            when point.krippendorff_alpha is not null and jackknife.n_alpha_replicates >= 2
                then {{ jackknife_se('jackknife.sum_alpha_deviation', 'jackknife.sum_sq_alpha_deviation',
                    'jackknife.n_alpha_replicates') }}
        end as krippendorff_alpha_se
    from ordered_versions
    left join version_skips
        on
            ordered_versions.project_id = version_skips.project_id
            and ordered_versions.guideline_version = version_skips.guideline_version
    left join version_gold
        on
            ordered_versions.project_id = version_gold.project_id
            and ordered_versions.guideline_version = version_gold.guideline_version
    left join version_agreement_point as point
        on
            ordered_versions.project_id = point.project_id
            and ordered_versions.guideline_version = point.guideline_version
    left join version_agreement_jackknife as jackknife
        on
            ordered_versions.project_id = jackknife.project_id
            and ordered_versions.guideline_version = jackknife.guideline_version
),

version_pairs as (
    select
        current_version.project_id,
        previous_version.guideline_version as previous_version,
        current_version.guideline_version as version,
        current_version.first_submitted_at as version_first_submitted_at,
        previous_version.n_judgements as previous_n_judgements,
        current_version.n_judgements,
        previous_version.krippendorff_alpha as previous_krippendorff_alpha,
        current_version.krippendorff_alpha,
        previous_version.krippendorff_alpha_se as previous_krippendorff_alpha_se,
        current_version.krippendorff_alpha_se,
        previous_version.n_gold_judgements as previous_n_gold_judgements,
        previous_version.n_gold_correct as previous_n_gold_correct,
        current_version.n_gold_judgements,
        current_version.n_gold_correct,
        previous_version.n_skips as previous_n_skips,
        current_version.n_skips,
        current_version.krippendorff_alpha - previous_version.krippendorff_alpha as delta_krippendorff_alpha,
        sqrt(
            previous_version.krippendorff_alpha_se * previous_version.krippendorff_alpha_se
            + current_version.krippendorff_alpha_se * current_version.krippendorff_alpha_se
        ) as delta_krippendorff_alpha_se
    from versions as current_version
    inner join versions as previous_version
        on
            current_version.project_id = previous_version.project_id
            and current_version.version_order = previous_version.version_order + 1
),

final as (
    select
        project_id,
        previous_version,
        version,
        version_first_submitted_at,
        previous_n_judgements,
        n_judgements,
        previous_krippendorff_alpha,
        krippendorff_alpha,
        delta_krippendorff_alpha,
        delta_krippendorff_alpha - {{ var('guideline_comparison_z') }} * delta_krippendorff_alpha_se
            as delta_krippendorff_alpha_ci_low,
        delta_krippendorff_alpha + {{ var('guideline_comparison_z') }} * delta_krippendorff_alpha_se
            as delta_krippendorff_alpha_ci_high,
        {{ z_test_p_value('delta_krippendorff_alpha', 'delta_krippendorff_alpha_se') }}
            as delta_krippendorff_alpha_p_value,
        previous_n_gold_judgements,
        previous_n_gold_correct,
        n_gold_judgements,
        n_gold_correct,
        {{ safe_divide('previous_n_gold_correct', 'previous_n_gold_judgements') }} as previous_gold_accuracy,
        {{ safe_divide('n_gold_correct', 'n_gold_judgements') }} as gold_accuracy,
        {{ safe_divide('n_gold_correct', 'n_gold_judgements') }}
        - {{ safe_divide('previous_n_gold_correct', 'previous_n_gold_judgements') }} as delta_gold_accuracy,
        {{ newcombe_interval('n_gold_correct', 'n_gold_judgements',
            'previous_n_gold_correct', 'previous_n_gold_judgements', 'lower') }} as delta_gold_accuracy_ci_low,
        {{ newcombe_interval('n_gold_correct', 'n_gold_judgements',
            'previous_n_gold_correct', 'previous_n_gold_judgements', 'upper') }} as delta_gold_accuracy_ci_high,
        {{ two_proportion_p_value('n_gold_correct', 'n_gold_judgements',
            'previous_n_gold_correct', 'previous_n_gold_judgements') }} as delta_gold_accuracy_p_value,
        previous_n_skips,
        n_skips,
        {{ safe_divide('previous_n_skips', 'previous_n_skips + previous_n_judgements') }} as previous_skip_rate,
        {{ safe_divide('n_skips', 'n_skips + n_judgements') }} as skip_rate
    from version_pairs
)

select * from final
