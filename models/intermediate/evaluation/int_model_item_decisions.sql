-- One row per model_name, model_version and scored item: the model's multi-class decision, the
-- label with the highest score (ties go to the alphabetically first label, so the decision is
-- deterministic), next to the item's truth, gold label, non-tied consensus label and
-- Dawid-Skene latent label. Items without any truth are kept (truth columns NULL); the marts
-- filter on what they compare to.
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

ranked as (
    select
        model_name,
        model_version,
        item_id,
        label,
        score,
        row_number() over (
            partition by model_name, model_version, item_id
            order by score desc, label asc
        ) as score_rank,
        count(*) over (partition by model_name, model_version, item_id) as n_labels_scored
    from predictions
),

final as (
    select
        ranked.model_name,
        ranked.model_version,
        ranked.item_id,
        ranked.label as predicted_label,
        ranked.score as predicted_score,
        ranked.n_labels_scored,
        item_truth.language,
        item_truth.truth_label,
        item_truth.truth_source,
        item_truth.gold_label,
        case when item_truth.has_usable_consensus then item_truth.consensus_label end as consensus_label,
        item_latent_label.latent_label
    from ranked
    left join item_truth on ranked.item_id = item_truth.item_id
    left join item_latent_label on ranked.item_id = item_latent_label.item_id
    where ranked.score_rank = 1
)

select * from final
