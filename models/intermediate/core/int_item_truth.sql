-- One row per item: the plurality consensus of the annotators' latest judgements, the gold
-- label where one exists, and the truth used downstream = gold if present, else the non-tied
-- consensus of at least 2 judgements (NULL otherwise). Items with gold but no judgements
-- (expert evaluation sets) are included. The votes come from int_item_category_counts (the
-- item x label counts), not from the 10M judgements again.
with

items as (
    select * from {{ ref('int_items') }}
),

item_counts as (
    select * from {{ ref('int_item_category_counts') }}
),

gold_labels as (
    select * from {{ ref('stg_raw__gold_labels') }}
),

label_votes as (
    -- the item x label counts of the latest judgements, already aggregated (summed over the
    -- item's projects, should its judgements name more than one)
    select
        item_id,
        label,
        cast(sum(n_votes) as bigint) as n_votes
    from item_counts
    group by item_id, label
),

ranked_votes as (
    select
        item_id,
        label,
        n_votes,
        cast(sum(n_votes) over (partition by item_id) as bigint) as n_judgements,
        row_number() over (partition by item_id order by n_votes desc, label asc) as vote_rank,
        count(*) over (partition by item_id, n_votes) as n_labels_with_same_votes
    from label_votes
),

plurality as (
    select
        item_id,
        n_judgements,
        label as consensus_label,
        n_votes as consensus_votes,
        n_labels_with_same_votes > 1 as is_tie
    from ranked_votes
    where vote_rank = 1
),

consensus as (
    -- the one statement of when a consensus counts (as truth here, and as the consensus label
    -- int_model_item_decisions compares models with): at least 2 judgements and not tied
    select
        *,
        n_judgements >= 2 and not is_tie as has_usable_consensus
    from plurality
),

final as (
    select
        items.item_id,
        items.project_id,
        items.language,
        coalesce(consensus.n_judgements, 0) as n_judgements,
        consensus.consensus_label,
        {{ safe_divide('consensus.consensus_votes', 'consensus.n_judgements') }} as consensus_share,
        coalesce(consensus.is_tie, false) as is_tie,
        coalesce(consensus.has_usable_consensus, false) as has_usable_consensus,
        gold_labels.label as gold_label,
        gold_labels.gold_source,
        case
            when gold_labels.label is not null then gold_labels.label
            when consensus.has_usable_consensus then consensus.consensus_label
        end as truth_label,
        case
            when gold_labels.label is not null then 'gold'
            when consensus.has_usable_consensus then 'consensus'
        end as truth_source
    from items
    left join consensus on items.item_id = consensus.item_id
    left join gold_labels on items.item_id = gold_labels.item_id
)

select * from final
