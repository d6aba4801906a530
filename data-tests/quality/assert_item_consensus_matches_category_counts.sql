-- fct_item_consensus and the agreement statistics read the same judgements: an item's
-- n_annotations equals the judgements counted in int_item_category_counts, and its consensus
-- share is the largest n_votes over n_judgements there.
with

consensus as (
    select * from {{ ref('fct_item_consensus') }}
),

item_counts as (
    select * from {{ ref('int_item_category_counts') }}
),

per_item as (
    select
        item_id,
        max(n_judgements) as n_judgements,
        max(n_votes) as top_votes
    from item_counts
    group by item_id
)

select
    consensus.item_id,
    consensus.n_annotations,
    per_item.n_judgements
from consensus
left join per_item on consensus.item_id = per_item.item_id
where
    coalesce(per_item.n_judgements, 0) != consensus.n_annotations
    or (
        per_item.n_judgements > 0
        and abs(consensus.consensus_share - cast(per_item.top_votes as double) / per_item.n_judgements) > 1e-12
    )
