-- One row per item and label used on it: the item x label count (from int_item_category_counts)
-- and the leave-one-out consensus outcome that a judgement with this label gets, i.e. how the
-- label compares with the strict plurality of the OTHER annotators' judgements of the item:
--   'agree'        the others' plurality is this label,
--   'disagree'     the others' plurality is another label,
--   'no_consensus' the others are tied, so there is nothing to agree with;
--   NULL           nobody else judged the item.
-- Leaving the judgement out keeps an annotator from agreeing with their own vote. It follows
-- from the item's counts alone: with n_o = votes for this label (this one included), M = the
-- highest count among the other labels and k = how many labels reach M, the others' count for
-- this label is n_o - 1, so 'agree' iff n_o - 1 > M and 'disagree' iff n_o - 1 < M with k = 1.
-- Decided once per (item, label), so the 10M judgements need one join to get it.
with

item_counts as (
    select * from {{ ref('int_item_category_counts') }}
),

count_values as (
    -- each item's distinct vote counts, how many labels have each, ranked from the highest
    select
        project_id,
        item_id,
        n_votes,
        count(*) as n_labels,
        row_number() over (partition by project_id, item_id order by n_votes desc) as value_rank
    from item_counts
    group by project_id, item_id, n_votes
),

item_top_counts as (
    -- the highest count and how many labels reach it, the next count and how many reach that
    select
        project_id,
        item_id,
        max(case when value_rank = 1 then n_votes end) as top_votes,
        max(case when value_rank = 1 then n_labels end) as n_top_labels,
        coalesce(max(case when value_rank = 2 then n_votes end), 0) as second_votes,
        max(case when value_rank = 2 then n_labels end) as n_second_labels
    from count_values
    group by project_id, item_id
),

others as (
    -- M and k for a judgement of this label: the best count among the other labels and how
    -- many labels reach it
    select
        item_counts.project_id,
        item_counts.item_id,
        item_counts.label,
        item_counts.n_votes,
        item_counts.n_judgements,
        case
            when item_counts.n_votes = item_top_counts.top_votes and item_top_counts.n_top_labels = 1
                then item_top_counts.second_votes
            else item_top_counts.top_votes
        end as best_other_votes,
        case
            when item_counts.n_votes = item_top_counts.top_votes and item_top_counts.n_top_labels = 1
                then item_top_counts.n_second_labels
            when item_counts.n_votes = item_top_counts.top_votes then item_top_counts.n_top_labels - 1
            else item_top_counts.n_top_labels
        end as n_best_other_labels
    from item_counts
    inner join item_top_counts
        on
            item_counts.project_id = item_top_counts.project_id
            and item_counts.item_id = item_top_counts.item_id
),

final as (
    select
        project_id,
        item_id,
        label,
        n_votes,
        n_judgements,
        case
            when n_judgements < 2 then null
            when n_votes - 1 > best_other_votes then 'agree'
            when n_votes - 1 < best_other_votes and n_best_other_labels = 1 then 'disagree'
            else 'no_consensus'
        end as consensus_outcome
    from others
)

select * from final
