-- One row per model score and truth it can be evaluated against: model_name, model_version,
-- label, item_id and truth_source. The score is for "the item violates `label`"; the truth is
-- positive when the truth label is that label. Each item has up to two truths: its observed
-- truth (truth_source 'gold' if gold is present, else 'consensus': the non-tied consensus of
-- >= 2 judgements) and its Dawid-Skene latent label (truth_source 'latent', every judged item).
-- Scores of items without any truth cannot be evaluated and are left out. The decision
-- threshold comes from the thresholds export, else var eval_default_threshold; predicted
-- positive when score >= it.
with

predictions as (
    select * from {{ ref('stg_raw__predictions') }}
),

item_truth as (
    select * from {{ ref('int_item_truth') }}
),

item_latent_label as (
    select * from {{ ref('int_item_latent_label') }}
),

thresholds as (
    select * from {{ ref('stg_raw__thresholds') }}
),

truth_kinds as (
    select truth_kind_rows.is_latent
    from (values (false), (true)) as truth_kind_rows (is_latent)
),

-- one row per item and truth source (item-sized, so the predictions are joined only once)
item_truths as (
    select
        item_truth.item_id,
        item_truth.language,
        case when truth_kinds.is_latent then 'latent' else item_truth.truth_source end as truth_source,
        case when truth_kinds.is_latent then item_latent_label.latent_label else item_truth.truth_label end
            as truth_label
    from item_truth
    left join item_latent_label on item_truth.item_id = item_latent_label.item_id
    cross join truth_kinds
),

known_truths as (
    select * from item_truths
    where truth_label is not null
),

final as (
    select
        predictions.model_name,
        predictions.model_version,
        predictions.label,
        predictions.item_id,
        known_truths.language,
        known_truths.truth_source,
        known_truths.truth_label,
        predictions.score,
        known_truths.truth_label = predictions.label as is_positive,
        coalesce(
            thresholds.threshold, cast({{ var('eval_default_threshold') }} as double)
        ) as decision_threshold
    from predictions
    inner join known_truths on predictions.item_id = known_truths.item_id
    left join thresholds
        on
            predictions.model_name = thresholds.model_name
            and predictions.model_version = thresholds.model_version
            and predictions.label = thresholds.label
)

select * from final
