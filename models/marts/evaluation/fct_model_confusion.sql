-- The multi-class confusion matrix: one row per model_name, model_version, truth_source
-- ('gold', 'consensus', 'latent', 'all') and non-empty (truth_label, predicted_label) cell,
-- where the predicted label is the arg-max score per item. 'all' rolls up the observed truths
-- (gold, else consensus) only; 'latent' (the Dawid-Skene latent label) is a second truth of the
-- same items and is never counted under 'all'. Only items with that truth count.
with

item_decisions as (
    select * from {{ ref('int_model_item_decisions') }}
    where truth_label is not null or latent_label is not null
),

-- each item is counted under its observed truth source, under 'all', and under 'latent'
truth_groupings as (
    select grouping_rows.grouping_kind
    from (values ('observed'), ('all'), ('latent')) as grouping_rows (grouping_kind)
),

item_truths as (
    select
        item_decisions.model_name,
        item_decisions.model_version,
        case truth_groupings.grouping_kind
            when 'observed' then item_decisions.truth_source
            else truth_groupings.grouping_kind
        end as truth_source,
        case
            when truth_groupings.grouping_kind = 'latent' then item_decisions.latent_label
            else item_decisions.truth_label
        end as truth_label,
        item_decisions.predicted_label
    from item_decisions
    cross join truth_groupings
),

final as (
    select
        model_name,
        model_version,
        truth_source,
        truth_label,
        predicted_label,
        count(*) as n_items
    from item_truths
    where truth_label is not null
    group by model_name, model_version, truth_source, truth_label, predicted_label
)

select * from final
