-- One row per project, item and label used in the project: the Dawid-Skene posterior
-- probability that the label is the item's latent true label (sums to 1 over an item's rows),
-- and whether it is the item's latent label (the most probable; ties: the first label in
-- sort order, decided in int_latent_posterior by latent_label_index). A view: the rows are
-- int_latent_posterior's, and a second copy of ~7 rows per item would cost a full rewrite.
{{ config(materialized='view') }}
with

posterior as (
    select * from {{ ref('int_latent_posterior') }}
),

final as (
    select
        project_id,
        item_id,
        label,
        probability,
        is_latent_label,
        n_iterations
    from posterior
)

select * from final
