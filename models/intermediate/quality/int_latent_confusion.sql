-- One row per project, annotator, true label and label the annotator gave in the project: the
-- annotator's Dawid-Skene confusion probability P(says observed_label | true label), the
-- M-step on the final posterior of int_latent_posterior (the matrix crowd-kit reports as
-- errors_), and expected_count, the expected number of the annotator's latest judgements
-- saying observed_label on items whose latent truth is true_label (the posterior summed over
-- those judgements; an annotator's expected_count sums to their judgements in the project).
with

judgements as (
    select
        project_id,
        item_id,
        annotator_id,
        label
    from {{ ref('int_annotations') }}
    where is_latest_judgement
),

posterior as (
    select * from {{ ref('int_latent_posterior') }}
),

expected_counts as (
    {{ latent_expected_counts('judgements', 'posterior') }}
),

confusion as (
    {{ latent_confusion('expected_counts') }}
),

final as (
    select
        project_id,
        annotator_id,
        true_label,
        observed_label,
        cast(expected_count as double) as expected_count,
        cast(probability as double) as probability
    from confusion
)

select * from final
