-- One row per project, item and label used in the project: the Dawid-Skene posterior
-- probability that the label is the item's latent true label (sums to 1 over an item's rows),
-- and whether it is the item's latent label (the most probable; ties: the first label in
-- sort order, latent_label_order).
with

posterior as (
    select * from {{ ref('int_latent_posterior') }}
),

ranked as (
    select
        project_id,
        item_id,
        label,
        probability,
        n_iterations,
        row_number() over (partition by project_id, item_id order by {{ latent_label_order() }}) as label_rank
    from posterior
),

final as (
    select
        project_id,
        item_id,
        label,
        probability,
        label_rank = 1 as is_latent_label,
        n_iterations
    from ranked
)

select * from final
