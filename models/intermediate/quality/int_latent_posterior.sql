-- One row per project, item and label used in the project: the Dawid-Skene (1979) posterior
-- probability that the label is the item's latent true label, after the project's EM
-- (n_iterations: the iterations it ran, at most var('latent_max_iterations'), fewer when the
-- ELBO gained less than var('latent_tolerance') in one step). Each annotator's latest
-- judgement of an item counts once; the EM starts from the majority-vote shares of
-- int_item_category_counts. The iteration issues a few statements per step on small scratch
-- tables (macro latent_em_results): each step reads the judgements twice (E-step and expected
-- counts) and every other table it touches is item x label or annotator x label x label.
{{ config(post_hook="{{ latent_em_drop_results(this) }}") }}
{%- set judgements -%}
    (select project_id, item_id, annotator_id, label from {{ ref('int_annotations') }} where is_latest_judgement)
{%- endset %}
{%- set results = latent_em_results(
    this, judgements, ref('int_item_category_counts'), var('latent_max_iterations'), var('latent_tolerance')
) %}
with

em_results as (
    select * from {{ results }}
),

final as (
    select
        project_id,
        item_id,
        label,
        cast(probability as double) as probability,
        cast(n_iterations as integer) as n_iterations
    from em_results
)

select * from final
