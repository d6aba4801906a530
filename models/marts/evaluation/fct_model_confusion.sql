-- The multi-class confusion matrix: one row per model_name, model_version, truth_source
-- ('gold', 'consensus', 'all') and non-empty (truth_label, predicted_label) cell, where the
-- predicted label is the arg-max score per item. Only items with a truth label count.
with

item_decisions as (
    select * from {{ ref('int_model_item_decisions') }}
    where truth_label is not null
),

rollups as (
    select rollup_rows.by_truth_source
    from (values (true), (false)) as rollup_rows (by_truth_source)
),

final as (
    select
        item_decisions.model_name,
        item_decisions.model_version,
        case when rollups.by_truth_source then item_decisions.truth_source else 'all' end as truth_source,
        item_decisions.truth_label,
        item_decisions.predicted_label,
        count(*) as n_items
    from item_decisions
    cross join rollups
    group by
        item_decisions.model_name,
        item_decisions.model_version,
        case when rollups.by_truth_source then item_decisions.truth_source else 'all' end,
        item_decisions.truth_label,
        item_decisions.predicted_label
)

select * from final
