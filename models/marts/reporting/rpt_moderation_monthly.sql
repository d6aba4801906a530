-- One row per decision month (UTC): appeals pooled over every label and decider, the
-- Overview's moderation headline. overturn_rate = overturned / appealed decisions of the month
-- (a ratio of the pooled counts, not an average of the labels' rates); months_back = 1 is the
-- latest month in the warehouse.
with

appeals as (
    select * from {{ ref('fct_moderation_appeals') }}
),

monthly as (
    select
        decision_month,
        cast(sum(n_decisions) as bigint) as n_decisions,
        cast(sum(n_appealed) as bigint) as n_appealed,
        cast(sum(n_overturned) as bigint) as n_overturned
    from appeals
    group by decision_month
),

final as (
    select
        decision_month,
        row_number() over (order by decision_month desc) as months_back,
        n_decisions,
        n_appealed,
        n_overturned,
        {{ safe_divide('n_overturned', 'n_appealed') }} as overturn_rate
    from monthly
)

select * from final
