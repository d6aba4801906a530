-- One row per decision month (UTC) and decided_by ('human', 'automated', or 'all' = both):
-- appeals pooled over every label, for the Overview's moderation headline and the Moderation
-- page's monthly rates. appeal_rate = appealed / decisions and overturn_rate = overturned /
-- appealed decisions are ratios of the pooled counts, not averages of the labels' rates;
-- months_back = 1 is the latest month in the warehouse.
with

appeals as (
    select * from {{ ref('fct_moderation_appeals') }}
),

by_decider as (
    select
        decision_month,
        decided_by,
        n_decisions,
        n_appealed,
        n_overturned
    from appeals
    union all
    select
        decision_month,
        'all' as decided_by,
        n_decisions,
        n_appealed,
        n_overturned
    from appeals
),

monthly as (
    select
        decision_month,
        decided_by,
        cast(sum(n_decisions) as bigint) as n_decisions,
        cast(sum(n_appealed) as bigint) as n_appealed,
        cast(sum(n_overturned) as bigint) as n_overturned
    from by_decider
    group by decision_month, decided_by
),

final as (
    select
        decision_month,
        decided_by,
        dense_rank() over (order by decision_month desc) as months_back,
        n_decisions,
        n_appealed,
        n_overturned,
        {{ appeal_rates() }}
    from monthly
)

select * from final
