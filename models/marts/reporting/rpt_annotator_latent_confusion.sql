-- One row per project, latent true label and observed (given) label: the project's annotators'
-- Dawid-Skene confusion matrices pooled, P(observed label | true label) = the expected
-- judgements summed over annotators and normalised per true label. The Annotators page's heat map.
with

latent_confusion as (
    select * from {{ ref('fct_annotator_latent_confusion') }}
),

pooled as (
    select
        project_id,
        true_label,
        observed_label,
        sum(expected_count) as expected_judgements
    from latent_confusion
    group by project_id, true_label, observed_label
),

final as (
    select
        project_id,
        true_label,
        observed_label,
        {{ safe_divide(
            'expected_judgements',
            'sum(expected_judgements) over (partition by project_id, true_label)'
        ) }} as probability,
        expected_judgements
    from pooled
)

select * from final
