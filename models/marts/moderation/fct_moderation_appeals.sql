-- One row per calendar month of the decision (UTC), policy label and decided_by ('human' or
-- 'automated'): how many production decisions were made, appealed and overturned, and where
-- the item's truth is known, how precise the removals were. A removal is a decision whose
-- action is in var moderation_removal_actions; it is correct when the
-- item's truth label (gold, else non-tied consensus) is the label the decision cited.
{%- set removal_list = "'" ~ var('moderation_removal_actions') | join("', '") ~ "'" %}
with

decisions as (
    select * from {{ ref('stg_raw__moderation_decisions') }}
),

item_truth as (
    select * from {{ ref('int_item_truth') }}
),

classified as (
    select
        cast({{ dbt.date_trunc('month', 'decisions.decided_at') }} as date) as decision_month,
        decisions.label,
        decisions.decided_by,
        decisions.appealed_at is not null as is_appealed,
        coalesce(decisions.appeal_outcome = 'overturned', false) as is_overturned,
        coalesce(decisions.appeal_outcome = 'upheld', false) as is_upheld,
        decisions.action in ({{ removal_list }}) as is_removal,
        item_truth.truth_label
    from decisions
    left join item_truth on decisions.item_id = item_truth.item_id
),

counted as (
    select
        decision_month,
        label,
        decided_by,
        count(*) as n_decisions,
        cast(sum(case when is_appealed then 1 else 0 end) as bigint) as n_appealed,
        cast(sum(case when is_overturned then 1 else 0 end) as bigint) as n_overturned,
        cast(sum(case when is_upheld then 1 else 0 end) as bigint) as n_upheld,
        cast(sum(case when is_removal then 1 else 0 end) as bigint) as n_removals,
        cast(sum(case when is_removal and truth_label is not null then 1 else 0 end) as bigint)
            as n_removals_with_truth,
        cast(sum(case when is_removal and truth_label = label then 1 else 0 end) as bigint) as n_removals_correct
    from classified
    group by decision_month, label, decided_by
),

final as (
    select
        decision_month,
        label,
        decided_by,
        n_decisions,
        n_appealed,
        n_overturned,
        n_upheld,
        n_appealed - n_overturned - n_upheld as n_appeals_pending,
        {{ appeal_rates() }},
        n_removals,
        n_removals_with_truth,
        n_removals_correct,
        {{ safe_divide('n_removals_correct', 'n_removals_with_truth') }} as removal_precision,
        {{ wilson_interval('n_removals_correct', 'n_removals_with_truth', 'lower') }} as removal_precision_ci_lower,
        {{ wilson_interval('n_removals_correct', 'n_removals_with_truth', 'upper') }} as removal_precision_ci_upper
    from counted
)

select * from final
