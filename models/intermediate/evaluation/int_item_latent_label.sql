-- One row per judged item: its Dawid-Skene latent label in the item's own project (the label
-- of highest posterior probability in int_latent_posterior; ties: the first label in sort
-- order, the rule of fct_item_latent_truth), the truth of truth_source 'latent' in the
-- model-evaluation models. Items without judgements have no latent label and no row.
with

posterior as (
    select * from {{ ref('int_latent_posterior') }}
),

items as (
    select * from {{ ref('int_items') }}
),

ranked as (
    select
        posterior.item_id,
        posterior.label,
        posterior.probability,
        row_number() over (
            partition by posterior.item_id
            order by posterior.probability desc, posterior.label asc
        ) as label_rank
    from posterior
    inner join items
        on
            posterior.item_id = items.item_id
            and posterior.project_id = items.project_id
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
