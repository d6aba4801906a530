-- One row per counted judgement (the annotator's latest of the item) with what grading an
-- annotator needs: the gold label where known, and how the judgement compares with the
-- leave-one-out consensus, i.e. the strict plurality of the OTHER annotators' judgements:
--   'agree'        the others' plurality is this judgement's label,
--   'disagree'     the others' plurality is another label,
--   'no_consensus' the others are tied, so there is nothing to agree with;
--   NULL           nobody else judged the item.
-- Leaving the judgement out keeps an annotator from agreeing with their own vote. It is
-- derived from the item's label counts alone: with n_o = votes for this label (including
-- this one), M = the highest count among the other labels and k = how many labels reach M,
-- the others' count for this label is n_o - 1, so 'agree' iff n_o - 1 > M and 'disagree'
-- iff n_o - 1 < M with k = 1.
with

annotations as (
    select * from {{ ref('int_annotations') }}
    where is_latest_judgement
),

item_counts as (
    select * from {{ ref('int_item_category_counts') }}
),

gold_labels as (
    select * from {{ ref('stg_raw__gold_labels') }}
),

count_values as (
    -- each item's distinct vote counts and how many labels have each
    select
        project_id,
        item_id,
        n_votes,
        count(*) as n_labels
    from item_counts
    group by project_id, item_id, n_votes
),

item_top_votes as (
    select
        project_id,
        item_id,
        max(n_votes) as top_votes
    from count_values
    group by project_id, item_id
),

item_top_counts as (
    -- the highest count, how many labels reach it, the next count and how many reach that
    select
        count_values.project_id,
        count_values.item_id,
        max(item_top_votes.top_votes) as top_votes,
        max(case when count_values.n_votes = item_top_votes.top_votes then count_values.n_labels end)
            as n_top_labels,
        coalesce(max(case when count_values.n_votes < item_top_votes.top_votes then count_values.n_votes end), 0)
            as second_votes
    from count_values
    inner join item_top_votes
        on
            count_values.project_id = item_top_votes.project_id
            and count_values.item_id = item_top_votes.item_id
    group by count_values.project_id, count_values.item_id
),

label_outcomes as (
    -- the outcome is the same for every judgement of an item with the same label, so it is
    -- decided once per (item, label) and joined to the judgements once
    select
        item_counts.project_id,
        item_counts.item_id,
        item_counts.label,
        item_counts.n_judgements,
        item_counts.n_votes as own_votes,
        -- M and k: the best count among the other labels and how many labels reach it
        case
            when item_counts.n_votes = item_top_counts.top_votes and item_top_counts.n_top_labels = 1
                then item_top_counts.second_votes
            else item_top_counts.top_votes
        end as best_other_votes,
        case
            when item_counts.n_votes = item_top_counts.top_votes and item_top_counts.n_top_labels = 1
                then second_count.n_labels
            when item_counts.n_votes = item_top_counts.top_votes then item_top_counts.n_top_labels - 1
            else item_top_counts.n_top_labels
        end as n_best_other_labels
    from item_counts
    inner join item_top_counts
        on
            item_counts.project_id = item_top_counts.project_id
            and item_counts.item_id = item_top_counts.item_id
    left join count_values as second_count
        on
            item_counts.project_id = second_count.project_id
            and item_counts.item_id = second_count.item_id
            and item_top_counts.second_votes = second_count.n_votes
),

final as (
    select
        annotations.annotation_id,
        annotations.item_id,
        annotations.project_id,
        annotations.language,
        annotations.annotator_id,
        annotations.label,
        annotations.submitted_week,
        label_outcomes.n_judgements,
        case
            when label_outcomes.n_judgements < 2 then null
            when label_outcomes.own_votes - 1 > label_outcomes.best_other_votes then 'agree'
            when
                label_outcomes.own_votes - 1 < label_outcomes.best_other_votes
                and label_outcomes.n_best_other_labels = 1
                then 'disagree'
            else 'no_consensus'
        end as consensus_outcome,
        gold_labels.label as gold_label,
        case when gold_labels.label is not null then annotations.label = gold_labels.label end as is_gold_correct
    from annotations
    inner join label_outcomes
        on
            annotations.item_id = label_outcomes.item_id
            and annotations.project_id = label_outcomes.project_id
            and annotations.label = label_outcomes.label
    left join gold_labels on annotations.item_id = gold_labels.item_id
)

select * from final
