-- One row per project, annotator_id, latent true label and observed (given) label: the
-- Annotators page's confusion heat map, P(observed label | latent true label). annotator_id =
-- 'all' pools every annotator of the project (the expected judgements summed over annotators
-- and normalised per true label, not a mean of their probabilities); the other rows are the
-- Dawid-Skene confusion matrices (fct_annotator_latent_confusion, as they are) of the project's
-- top_annotators annotators with the most judgements (their expected judgements summed; ties by
-- annotator_id), shown one annotator at a time on the page.
{#- top_annotators: annotators per project with their own matrix (the page ships every matrix:
    top_annotators x labels^2 rows per project). #}
{%- set top_annotators = var('report_confusion_top_annotators') %}
with

latent_confusion as (
    select * from {{ ref('fct_annotator_latent_confusion') }}
),

pooled_counts as (
    select
        project_id,
        true_label,
        observed_label,
        sum(expected_count) as expected_judgements
    from latent_confusion
    group by project_id, true_label, observed_label
),

pooled as (
    select
        project_id,
        'all' as annotator_id,
        true_label,
        observed_label,
        {{ safe_divide(
            'expected_judgements',
            'sum(expected_judgements) over (partition by project_id, true_label)'
        ) }} as probability,
        expected_judgements
    from pooled_counts
),

annotator_judgements as (
    select
        project_id,
        annotator_id,
        sum(expected_count) as n_judgements
    from latent_confusion
    group by project_id, annotator_id
),

annotator_ranks as (
    select
        project_id,
        annotator_id,
        row_number() over (
            partition by project_id
            order by n_judgements desc, annotator_id asc
        ) as judgements_rank
    from annotator_judgements
),

top_annotators as (
    select
        project_id,
        annotator_id
    from annotator_ranks
    where judgements_rank <= {{ top_annotators }}
),

per_annotator as (
    select
        latent_confusion.project_id,
        latent_confusion.annotator_id,
        latent_confusion.true_label,
        latent_confusion.observed_label,
        latent_confusion.probability,
        latent_confusion.expected_count as expected_judgements
    from latent_confusion
    inner join top_annotators
        on
            latent_confusion.project_id = top_annotators.project_id
            and latent_confusion.annotator_id = top_annotators.annotator_id
),

final as (
    select
        project_id,
        annotator_id,
        true_label,
        observed_label,
        probability,
        expected_judgements
    from pooled
    union all
    select
        project_id,
        annotator_id,
        true_label,
        observed_label,
        probability,
        expected_judgements
    from per_annotator
)

select * from final
