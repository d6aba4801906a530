-- One row per judged item: its Dawid-Skene latent label (the row of int_latent_posterior
-- flagged is_latent_label: the most probable label; ties: the first label in sort order,
-- latent_label_index), the truth of truth_source 'latent' in the model-evaluation models.
-- An item judged in more than one project takes the label of the first project_id in sort
-- order (the project int_items gives an item known only from its judgements). Items without
-- judgements have no latent label and no row.
with

latent_labels as (
    select
        project_id,
        item_id,
        label,
        probability
    from {{ ref('int_latent_posterior') }}
    where is_latent_label
),

ranked as (
    select
        item_id,
        label,
        probability,
        row_number() over (partition by item_id order by project_id asc) as project_rank
    from latent_labels
),

final as (
    select
        item_id,
        label as latent_label,
        probability as latent_probability
    from ranked
    where project_rank = 1
)

select * from final
