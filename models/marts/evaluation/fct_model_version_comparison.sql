-- One row per model_name, pair of its versions (version_a < version_b), label and
-- truth_source ('gold', 'consensus', 'latent', 'all'), on the items BOTH versions scored and
-- that have that truth ('all' = gold, else consensus; the latent truth is never rolled up into
-- it): each version's precision, recall, F1 (at its own threshold) and ROC AUC with the
-- deltas (b minus a), and McNemar's test on the paired decisions, so "v2 is better" comes with
-- evidence. b = items version_a gets right and version_b wrong, c = the reverse; p_value is
-- the exact two-sided binomial test, chi2_p_value the chi-square test with continuity
-- correction (statsmodels mcnemar exact=True / exact=False).
{%- set significance = var('eval_significance_level') %}
with

-- read twice (the two versions), scanned twice: DuckDB would buffer a CTE read twice whole
-- (10.5M rows at 10M: 7.0 s with the buffer, 5.0 s without)
prediction_truth as {{ not_materialized() }}(
    select * from {{ ref('int_prediction_truth') }}
),

rollups as (
    select rollup_rows.by_truth_source
    from (values (true), (false)) as rollup_rows (by_truth_source)
),

paired_items as (
    select
        version_a.model_name,
        version_a.model_version as version_a,
        version_b.model_version as version_b,
        version_a.label,
        {{ truth_source_rollup('version_a.truth_source', 'rollups.by_truth_source') }} as truth_source,
        version_a.item_id,
        version_a.is_positive,
        version_a.score as score_a,
        version_b.score as score_b,
        {{ is_predicted_positive('version_a.score', 'version_a.decision_threshold') }} as is_predicted_a,
        {{ is_predicted_positive('version_b.score', 'version_b.decision_threshold') }} as is_predicted_b
    from prediction_truth as version_a
    inner join prediction_truth as version_b
        on
            version_a.model_name = version_b.model_name
            and version_a.label = version_b.label
            and version_a.item_id = version_b.item_id
            and version_a.truth_source = version_b.truth_source
            and version_a.model_version < version_b.model_version
    cross join rollups
    where {{ in_truth_source_rollup('version_a.truth_source', 'rollups.by_truth_source') }}
),

paired_counts as (
    select
        model_name,
        version_a,
        version_b,
        label,
        truth_source,
        count(*) as n_items,
        cast(sum(case when is_positive then 1 else 0 end) as bigint) as n_positive,
        cast(sum(case when is_positive and is_predicted_a then 1 else 0 end) as bigint) as tp_a,
        cast(sum(case when not is_positive and is_predicted_a then 1 else 0 end) as bigint) as fp_a,
        cast(sum(case when is_positive and is_predicted_b then 1 else 0 end) as bigint) as tp_b,
        cast(sum(case when not is_positive and is_predicted_b then 1 else 0 end) as bigint) as fp_b,
        cast(sum(
            case when is_predicted_a = is_positive and is_predicted_b != is_positive then 1 else 0 end
        ) as bigint) as b,
        cast(sum(
            case when is_predicted_a != is_positive and is_predicted_b = is_positive then 1 else 0 end
        ) as bigint) as c
    from paired_items
    group by model_name, version_a, version_b, label, truth_source
),

-- ROC AUC of each version on the paired items only, from per-score tallies like int_model_curve
side_scores as (
    select
        model_name,
        version_a,
        version_b,
        label,
        truth_source,
        'a' as side,
        score_a as score,
        is_positive
    from paired_items
    union all
    select
        model_name,
        version_a,
        version_b,
        label,
        truth_source,
        'b' as side,
        score_b as score,
        is_positive
    from paired_items
),

side_tallies as (
    select
        model_name,
        version_a,
        version_b,
        label,
        truth_source,
        side,
        score,
        cast(sum(case when is_positive then 1 else 0 end) as bigint) as n_positive,
        cast(sum(case when is_positive then 0 else 1 end) as bigint) as n_negative
    from side_scores
    group by model_name, version_a, version_b, label, truth_source, side, score
),

side_negatives_below as (
    select
        *,
        sum(n_negative) over (
            partition by model_name, version_a, version_b, label, truth_source, side
            order by score
            rows between unbounded preceding and current row
        ) - n_negative as n_negative_below
    from side_tallies
),

side_auc as (
    select
        model_name,
        version_a,
        version_b,
        label,
        truth_source,
        {{ roc_auc("case when side = 'a' then n_positive else 0 end",
            "case when side = 'a' then n_negative else 0 end", 'n_negative_below') }} as roc_auc_a,
        {{ roc_auc("case when side = 'b' then n_positive else 0 end",
            "case when side = 'b' then n_negative else 0 end", 'n_negative_below') }} as roc_auc_b
    from side_negatives_below
    group by model_name, version_a, version_b, label, truth_source
),

-- the exact test sums the Binomial(b + c, 1/2) probabilities of 0 .. min(b, c)
binomial_terms as (
    select
        model_name,
        version_a,
        version_b,
        label,
        truth_source,
        b + c as n_discordant,
        {{ expand_integers('least(b, c)') }} as k
    from paired_counts
),

exact_tests as (
    select
        model_name,
        version_a,
        version_b,
        label,
        truth_source,
        {{ mcnemar_exact_p_value(mcnemar_exact_term('k', 'n_discordant')) }} as p_value
    from binomial_terms
    group by model_name, version_a, version_b, label, truth_source
),

metrics as (
    select
        paired_counts.*,
        {{ safe_divide('tp_a', 'tp_a + fp_a') }} as precision_a,
        {{ safe_divide('tp_b', 'tp_b + fp_b') }} as precision_b,
        {{ safe_divide('tp_a', 'n_positive') }} as recall_a,
        {{ safe_divide('tp_b', 'n_positive') }} as recall_b,
        {{ f1_score('tp_a', 'fp_a', 'n_positive - tp_a') }} as f1_a,
        {{ f1_score('tp_b', 'fp_b', 'n_positive - tp_b') }} as f1_b
    from paired_counts
),

final as (
    select
        metrics.model_name,
        metrics.version_a,
        metrics.version_b,
        metrics.label,
        metrics.truth_source,
        metrics.n_items,
        metrics.n_positive,
        metrics.precision_a,
        metrics.precision_b,
        metrics.precision_b - metrics.precision_a as delta_precision,
        metrics.recall_a,
        metrics.recall_b,
        metrics.recall_b - metrics.recall_a as delta_recall,
        metrics.f1_a,
        metrics.f1_b,
        metrics.f1_b - metrics.f1_a as delta_f1,
        side_auc.roc_auc_a,
        side_auc.roc_auc_b,
        side_auc.roc_auc_b - side_auc.roc_auc_a as delta_roc_auc,
        metrics.b,
        metrics.c,
        least(metrics.b, metrics.c) as statistic,
        exact_tests.p_value,
        {{ mcnemar_chi2_statistic('metrics.b', 'metrics.c') }} as chi2_statistic,
        {{ mcnemar_chi2_p_value('metrics.b', 'metrics.c') }} as chi2_p_value,
        case
            when exact_tests.p_value < {{ significance }} and metrics.c > metrics.b then metrics.version_b
            when exact_tests.p_value < {{ significance }} and metrics.b > metrics.c then metrics.version_a
        end as better_version
    from metrics
    inner join exact_tests
        on
            metrics.model_name = exact_tests.model_name
            and metrics.version_a = exact_tests.version_a
            and metrics.version_b = exact_tests.version_b
            and metrics.label = exact_tests.label
            and metrics.truth_source = exact_tests.truth_source
    inner join side_auc
        on
            metrics.model_name = side_auc.model_name
            and metrics.version_a = side_auc.version_a
            and metrics.version_b = side_auc.version_b
            and metrics.label = side_auc.label
            and metrics.truth_source = side_auc.truth_source
)

select * from final
