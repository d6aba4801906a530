-- One row per model score with a known truth: model_name, model_version, label, item_id. The
-- score is for "the item violates `label`"; the truth is positive when the item's truth label
-- (gold if present, else non-tied consensus of >= 2 judgements) is that label. Scores of items
-- without truth cannot be evaluated and are left out. The decision threshold comes from the
-- thresholds export, else var eval_default_threshold; predicted positive when score >= it.
with

predictions as (
    select * from {{ ref('stg_raw__predictions') }}
),

item_truth as (
    select * from {{ ref('int_item_truth') }}
    where truth_label is not null
),

thresholds as (
    select * from {{ ref('stg_raw__thresholds') }}
),

final as (
    select
        predictions.model_name,
        predictions.model_version,
        predictions.label,
        predictions.item_id,
        item_truth.language,
        item_truth.truth_source,
        item_truth.truth_label,
        predictions.score,
        item_truth.truth_label = predictions.label as is_positive,
        coalesce(
            thresholds.threshold, cast({{ var('eval_default_threshold') }} as double)
        ) as decision_threshold
    from predictions
    inner join item_truth on predictions.item_id = item_truth.item_id
    left join thresholds
        on
            predictions.model_name = thresholds.model_name
            and predictions.model_version = thresholds.model_version
            and predictions.label = thresholds.label
)

select * from final
