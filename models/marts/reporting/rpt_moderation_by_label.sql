-- One row per policy label and decided_by: appeals pooled over every month, for the
-- Moderation page. appeal_rate = appealed / decisions and overturn_rate = overturned /
-- appealed decisions are ratios of the pooled counts, not averages of monthly rates.
with

appeals as (
    select * from {{ ref('fct_moderation_appeals') }}
),

by_label as (
    select
        label,
        decided_by,
        cast(sum(n_decisions) as bigint) as n_decisions,
        cast(sum(n_appealed) as bigint) as n_appealed,
        cast(sum(n_overturned) as bigint) as n_overturned
    from appeals
    group by label, decided_by
),

final as (
    select
        label,
        decided_by,
        n_decisions,
        n_appealed,
        n_overturned,
        {{ appeal_rates() }}
    from by_label
)

select * from final
