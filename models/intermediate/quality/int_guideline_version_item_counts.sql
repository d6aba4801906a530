-- One row per project, guideline version, item and label used on the item under that version:
-- n_votes = annotators whose latest judgement of the item is under that version and says that
-- label, and the first submitted_at of those judgements. An item judged under two versions is
-- a unit of each: its judgements under a version form that version's unit for alpha. The
-- sufficient statistics of fct_guideline_version_comparison (alpha, gold accuracy, volume), so
-- the mart never reads the judgements; judgements without a guideline_version are left out.
with

annotations as (
    select * from {{ ref('int_annotations') }}
    where is_latest_judgement and guideline_version is not null
),

final as (
    select
        project_id,
        guideline_version,
        item_id,
        label,
        cast(count(*) as bigint) as n_votes,
        min(submitted_at) as first_submitted_at
    from annotations
    group by project_id, guideline_version, item_id, label
)

select * from final
