-- One row per evaluation group (model_name, model_version, label, language, truth_source) and
-- non-empty equal-width score bin (var eval_calibration_bins; bin edges as
-- scikit-learn calibration_curve(strategy='uniform') puts them): count, mean score and the
-- observed positive rate. fct_model_calibration shows it; fct_model_eval sums it into ECE.
{%- set n_bins = var('eval_calibration_bins') %}
with

score_tallies as (
    select * from {{ ref('int_prediction_score_tallies') }}
),

binned as (
    select
        model_name,
        model_version,
        label,
        language,
        truth_source,
        {{ calibration_bin('score', n_bins) }} as bin_index,
        score,
        n_positive,
        n_negative
    from score_tallies
),

final as (
    select
        model_name,
        model_version,
        label,
        language,
        truth_source,
        bin_index,
        cast(bin_index as double) / {{ n_bins }} as bin_lower,
        cast(bin_index + 1 as double) / {{ n_bins }} as bin_upper,
        cast(sum(n_positive + n_negative) as bigint) as n_items,
        cast(sum(n_positive) as bigint) as n_positive,
        {{ safe_divide('sum(score * (n_positive + n_negative))', 'sum(n_positive + n_negative)') }} as mean_score,
        {{ safe_divide('sum(n_positive)', 'sum(n_positive + n_negative)') }} as positive_rate
    from binned
    group by model_name, model_version, label, language, truth_source, bin_index
)

select * from final
