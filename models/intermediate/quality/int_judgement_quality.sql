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
    -- each item's distinct vote counts, highest first, and how many labels have each
    select
        project_id,
        item_id,
        n_votes,
        count(*) as n_labels,
        row_number() over (partition by project_id, item_id order by n_votes desc) as value_rank,
    from item_counts
    group by project_id, item_id, n_votes
),

item_top_counts as (
    select
        project_id,
        item_id,
        max(case when value_rank = 1 then n_votes end) as top_votes,
        max(case when value_rank = 1 then n_labels end) as n_top_labels,
        coalesce(max(case when value_rank = 2 then n_votes end), 0) as second_votes,
        coalesce(max(case when value_rank = 2 then n_labels end), 0) as n_second_labels,
    from count_values
    where value_rank <= 2
    group by project_id, item_id
),

judgements as (
    select
        annotations.annotation_id,
        annotations.item_id,
        annotations.project_id,
        annotations.language,
        annotations.annotator_id,
        annotations.label,
        annotations.submitted_week,
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
                then item_top_counts.n_second_labels
            when item_counts.n_votes = item_top_counts.top_votes then item_top_counts.n_top_labels - 1
            else item_top_counts.n_top_labels
        end as n_best_other_labels,
        gold_labels.label as gold_label,
    from annotations
    inner join item_counts
        on
            annotations.item_id = item_counts.item_id
            and annotations.project_id = item_counts.project_id
            and annotations.label = item_counts.label
    inner join item_top_counts
        on
            annotations.item_id = item_top_counts.item_id
            and annotations.project_id = item_top_counts.project_id
    left join gold_labels on annotations.item_id = gold_labels.item_id
),

final as (
    select
        annotation_id,
        item_id,
        project_id,
        language,
        annotator_id,
        label,
        submitted_week,
        n_judgements,
        case
            when n_judgements < 2 then null
            when own_votes - 1 > best_other_votes then 'agree'
            when own_votes - 1 < best_other_votes and n_best_other_labels = 1 then 'disagree'
            else 'no_consensus'
        end as consensus_outcome,
        gold_label,
        case when gold_label is not null then label = gold_label end as is_gold_correct,
    from judgements
)

select * from final
