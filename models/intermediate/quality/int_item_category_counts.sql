-- One row per item and label used on it: n_votes = annotators whose latest judgement of the
-- item says that label (an annotator re-judging an item counts once: the latest judgement).
-- These per item x category counts are the sufficient statistics of every multi-rater
-- agreement figure (percent agreement, Fleiss' kappa, Krippendorff's alpha, Gwet's AC1).
-- item_week is the UTC week of the item's first counted judgement, so an item's judgements
-- always fall in one week of the agreement trend.
with

annotations as (
    select * from {{ ref('int_annotations') }}
    where is_latest_judgement
),

label_votes as (
    -- the one pass over the judgements; the item totals are rolled up from this result
    select
        project_id,
        language,
        item_id,
        label,
        count(*) as n_votes,
        min(submitted_week) as first_week
    from annotations
    group by project_id, language, item_id, label
),

item_totals as (
    select
        project_id,
        item_id,
        sum(n_votes) as n_judgements,
        min(first_week) as item_week
    from label_votes
    group by project_id, item_id
),

final as (
    select
        label_votes.project_id,
        label_votes.language,
        label_votes.item_id,
        item_totals.item_week,
        label_votes.label,
        cast(label_votes.n_votes as bigint) as n_votes,
        cast(item_totals.n_judgements as bigint) as n_judgements
    from label_votes
    inner join item_totals
        on
            label_votes.project_id = item_totals.project_id
            and label_votes.item_id = item_totals.item_id
)

select * from final
