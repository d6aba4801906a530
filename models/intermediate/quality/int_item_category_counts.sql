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
    select
        project_id,
        language,
        item_id,
        label,
        count(*) as n_votes,
        min(submitted_week) as first_week,
    from annotations
    group by project_id, language, item_id, label
),

final as (
    select
        project_id,
        language,
        item_id,
        min(first_week) over (partition by project_id, item_id) as item_week,
        label,
        cast(n_votes as bigint) as n_votes,
        cast(sum(n_votes) over (partition by project_id, item_id) as bigint) as n_judgements,
    from label_votes
)

select * from final
