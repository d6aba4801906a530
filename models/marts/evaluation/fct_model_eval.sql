-- One row per model_name, model_version, label, language ('all' = every language) and
-- truth_source ('gold', 'consensus', 'all'): the decision metrics at the model's threshold
-- with Wilson intervals, the ranking metrics (ROC AUC, average precision), the probability
-- metrics (Brier, log loss, ECE) and the operating points moderation teams pick thresholds by.
-- Everything comes from the full score curve and the calibration bins, so ties, rare classes
-- and a million predictions cost the same few aggregations. Undefined values are NULL.
{%- set precision_target = var('eval_precision_target') %}
{%- set recall_target = var('eval_recall_target') %}
{#- a curve point's score (threshold) at or above the group's decision threshold is predicted positive #}
{%- set is_predicted = is_predicted_positive('threshold', 'decision_threshold') %}
with

curve as (
    select * from {{ ref('int_model_curve') }}
),

calibration_bins as (
    select * from {{ ref('int_model_calibration_bins') }}
),

group_metrics as (
    select
        model_name,
        model_version,
        label,
        language,
        truth_source,
        min(decision_threshold) as decision_threshold,
        cast(sum(n_positive_at_score + n_negative_at_score) as bigint) as n_items,
        cast(sum(n_positive_at_score) as bigint) as n_positive,
        cast(sum(case when {{ is_predicted }} then n_positive_at_score else 0 end) as bigint) as tp,
        cast(sum(case when {{ is_predicted }} then n_negative_at_score else 0 end) as bigint) as fp,
        {{ roc_auc('n_positive_at_score', 'n_negative_at_score', 'tn') }} as roc_auc,
        {{ average_precision('n_positive_at_score', 'tp', 'fp') }} as average_precision,
        {{ brier_score('threshold', 'n_positive_at_score', 'n_negative_at_score') }} as brier_score,
        {{ log_loss('threshold', 'n_positive_at_score', 'n_negative_at_score') }} as log_loss,
        max(case when precision >= cast({{ precision_target }} as double) then tp end) as tp_at_precision_target,
        max(case when recall >= cast({{ recall_target }} as double) then precision end) as precision_at_recall_target
    from curve
    group by model_name, model_version, label, language, truth_source
),

-- the highest threshold that still reaches the best recall at the precision target: the most
-- conservative threshold with that recall
precision_target_thresholds as (
    select
        curve.model_name,
        curve.model_version,
        curve.label,
        curve.language,
        curve.truth_source,
        max(curve.threshold) as threshold_at_precision_target
    from curve
    inner join group_metrics
        on
            curve.model_name = group_metrics.model_name
            and curve.model_version = group_metrics.model_version
            and curve.label = group_metrics.label
            and curve.language = group_metrics.language
            and curve.truth_source = group_metrics.truth_source
            and curve.tp = group_metrics.tp_at_precision_target
    where curve.precision >= cast({{ precision_target }} as double)
    group by curve.model_name, curve.model_version, curve.label, curve.language, curve.truth_source
),

calibration as (
    select
        model_name,
        model_version,
        label,
        language,
        truth_source,
        {{ expected_calibration_error('n_items', 'mean_score', 'positive_rate') }} as ece
    from calibration_bins
    group by model_name, model_version, label, language, truth_source
),

counted as (
    select
        group_metrics.*,
        group_metrics.n_positive - group_metrics.tp as fn,
        group_metrics.n_items - group_metrics.n_positive - group_metrics.fp as tn,
        group_metrics.n_items - group_metrics.n_positive as n_negative
    from group_metrics
),

final as (
    select
        counted.model_name,
        counted.model_version,
        counted.label,
        counted.language,
        counted.truth_source,
        counted.decision_threshold as threshold,
        counted.n_items,
        counted.n_positive,
        {{ safe_divide('counted.n_positive', 'counted.n_items') }} as prevalence,
        counted.tp,
        counted.fp,
        counted.fn,
        counted.tn,
        {{ safe_divide('counted.tp', 'counted.tp + counted.fp') }} as precision,
        {{ wilson_interval('counted.tp', 'counted.tp + counted.fp', 'lower') }} as precision_ci_lower,
        {{ wilson_interval('counted.tp', 'counted.tp + counted.fp', 'upper') }} as precision_ci_upper,
        {{ safe_divide('counted.tp', 'counted.n_positive') }} as recall,
        {{ wilson_interval('counted.tp', 'counted.n_positive', 'lower') }} as recall_ci_lower,
        {{ wilson_interval('counted.tp', 'counted.n_positive', 'upper') }} as recall_ci_upper,
        {{ f1_score('counted.tp', 'counted.fp', 'counted.fn') }} as f1,
        {{ safe_divide('counted.fp', 'counted.n_negative') }} as fpr,
        {{ safe_divide('counted.tp + counted.tn', 'counted.n_items') }} as accuracy,
        counted.roc_auc,
        counted.average_precision,
        counted.brier_score,
        counted.log_loss,
        calibration.ece,
        cast({{ precision_target }} as double) as precision_target,
        {{ safe_divide('counted.tp_at_precision_target', 'counted.n_positive') }} as recall_at_precision_90,
        precision_target_thresholds.threshold_at_precision_target as threshold_at_precision_90,
        cast({{ recall_target }} as double) as recall_target,
        counted.precision_at_recall_target as precision_at_recall_80
    from counted
    left join calibration
        on
            counted.model_name = calibration.model_name
            and counted.model_version = calibration.model_version
            and counted.label = calibration.label
            and counted.language = calibration.language
            and counted.truth_source = calibration.truth_source
    left join precision_target_thresholds
        on
            counted.model_name = precision_target_thresholds.model_name
            and counted.model_version = precision_target_thresholds.model_version
            and counted.label = precision_target_thresholds.label
            and counted.language = precision_target_thresholds.language
            and counted.truth_source = precision_target_thresholds.truth_source
)

select * from final
