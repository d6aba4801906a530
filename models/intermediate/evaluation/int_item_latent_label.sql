-- One row per judged item: its Dawid-Skene latent label (the label of highest posterior
-- probability in int_latent_posterior; ties: the first label in sort order, latent_label_order),
-- the truth of truth_source 'latent' in the model-evaluation models.
-- An item judged in more than one project takes the label of the first project_id in sort
-- order (the project int_items gives an item known only from its judgements). Items without
-- judgements have no latent label and no row. One window over the posterior, no join.
with

posterior as (
    select * from {{ ref('int_latent_posterior') }}
),

ranked as (
    select
        item_id,
        label,
        probability,
        row_number() over (
            partition by item_id
            order by project_id asc, {{ latent_label_order() }}
        ) as label_rank
    from posterior
),

final as (
    select
        item_id,
        label as latent_label,
        probability as latent_probability
    from ranked
    where label_rank = 1
)

select * from final
