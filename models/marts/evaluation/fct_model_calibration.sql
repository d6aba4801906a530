-- The reliability table: one row per evaluation group (model_name, model_version, label,
-- language, truth_source) and non-empty equal-width score bin (var eval_calibration_bins): how
-- many items, their mean score and the share that were truly positive. A
-- calibrated model has mean_score close to positive_rate in every bin; calibration_gap is the
-- signed difference (positive = over-confident).
with

calibration_bins as (
    select * from {{ ref('int_model_calibration_bins') }}
),

final as (
    select
        model_name,
        model_version,
        label,
        language,
        truth_source,
        bin_index,
        bin_lower,
        bin_upper,
        n_items,
        n_positive,
        mean_score,
        positive_rate,
        mean_score - positive_rate as calibration_gap
    from calibration_bins
)

select * from final
