-- One row per project, item and label used in the project: the Dawid-Skene (1979) posterior
-- probability that the label is the item's latent true label, after the project's EM
-- (n_iterations: the iterations it ran, at most var('latent_max_iterations'), fewer when the
-- ELBO gained less than var('latent_tolerance') in one step), and whether the label is the
-- item's latent label (the most probable; ties: the first label in sort order, macro
-- latent_label_index, decided here on the wide posterior, so no reader ranks these rows).
-- Each annotator's latest judgement of an item counts once; the EM starts from the
-- majority-vote shares. The
-- iteration (macro latent_em_results) works on an integer-keyed copy of the judgements, one
-- row per item with its annotator cells as an array, in wide form (one column per label
-- index): each step reads the items once (E-step) and unnests the posterior once (M-step).
-- This model maps its wide, integer-keyed result back to project, item and label.
{{ config(post_hook=[
    "{{ latent_em_drop_results(this, 'results') }}",
    "{{ latent_em_drop_results(this, 'items') }}",
    "{{ latent_em_drop_results(this, 'labels') }}",
    "{{ latent_em_drop_results(this, 'projects') }}",
]) }}
{%- set judgements -%}
    (select project_id, item_id, annotator_id, label from {{ ref('int_annotations') }} where is_latest_judgement)
{%- endset %}
{%- set em = latent_em_results(this, judgements, var('latent_max_iterations'), var('latent_tolerance')) %}
with

em_results as (
    select
        *,
        {{ latent_label_index(em.n_labels) }} as latent_label_index
    from {{ em.results }}
),

em_items as (
    select * from {{ em.items }}
),

em_labels as (
    select * from {{ em.labels }}
),

em_projects as (
    select * from {{ em.projects }}
),

final as (
    select
        em_projects.project_id,
        em_items.item_id,
        em_labels.label,
        cast(case em_labels.label_index
            {%- for k in range(1, em.n_labels + 1) %}
                when {{ k }} then em_results.probability_{{ k }}
            {%- endfor %}
        end as double) as probability,
        em_labels.label_index = em_results.latent_label_index as is_latent_label,
        cast(em_results.n_iterations as integer) as n_iterations
    from em_results
    inner join em_items
        on em_results.item_key = em_items.item_key
    inner join em_projects
        on em_items.project_key = em_projects.project_key
    inner join em_labels
        on em_items.project_key = em_labels.project_key
)

select * from final
