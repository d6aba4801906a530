-- One row per item: its project, language and metadata, whether it has a gold label and how
-- many judgements it has. Never the content text.
with

items as (
    select * from {{ ref('int_items') }}
),

truth as (
    select * from {{ ref('int_item_truth') }}
),

final as (
    select
        items.item_id,
        items.project_id,
        items.created_at,
        items.language,
        items.market,
        items.content_type,
        items.priority,
        items.is_exported_item,
        truth.gold_label is not null as has_gold_label,
        truth.gold_source,
        truth.n_judgements
    from items
    left join truth on items.item_id = truth.item_id
)

select * from final
