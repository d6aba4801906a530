-- One row per item: the plurality consensus of the annotators' latest judgements, the gold
-- label where known, the truth used downstream, and whether the item should go to an
-- adjudicator: a tie, a winning share below var('adjudication_share_threshold') (at 0.6, 2 of 3
-- passes and 2 of 4 does not), or a consensus that contradicts the gold label.
-- Consensus and truth are computed once in int_item_truth and selected here.
with

item_truth as (
    select * from {{ ref('int_item_truth') }}
),

flagged as (
    select
        *,
        case
            when n_judgements = 0 then null
            when is_tie then 'tie'
            when gold_label is not null and consensus_label != gold_label then 'gold_disagreement'
            when consensus_share < {{ var('adjudication_share_threshold') }} then 'low_consensus_share'
        end as adjudication_reason
    from item_truth
),

final as (
    select
        item_id,
        project_id,
        language,
        n_judgements as n_annotations,
        consensus_label,
        consensus_share,
        is_tie,
        adjudication_reason is not null as needs_adjudication,
        adjudication_reason,
        gold_label,
        gold_source,
        truth_label,
        truth_source
    from flagged
)

select * from final
