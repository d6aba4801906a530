-- One row per project and judged item: the item's latent true label under the Dawid-Skene
-- model (the label of highest posterior probability; ties: the first in sort order), its
-- posterior probability, the annotators whose latest judgement counts (n_annotations), and
-- the EM iterations its project ran.
with

posterior as (
    select * from {{ ref('fct_item_latent_posterior') }}
    where is_latent_label
),

category_counts as (
    select * from {{ ref('int_item_category_counts') }}
),

item_judgements as (
    select distinct
        project_id,
        item_id,
        n_judgements
    from category_counts
),

final as (
    select
        posterior.project_id,
        posterior.item_id,
        posterior.label as latent_label,
        posterior.probability as latent_probability,
        item_judgements.n_judgements as n_annotations,
        posterior.n_iterations
    from posterior
    inner join item_judgements
        on
            posterior.project_id = item_judgements.project_id
            and posterior.item_id = item_judgements.item_id
)

select * from final
