-- One row per item known to the warehouse: exported items, plus items that only appear in
-- annotations or gold labels (an expert evaluation set often has no items export). The
-- language is the item's own, else the most common language of its judgements, else 'und'.
with

items as (
    select * from {{ ref('stg_raw__items') }}
),

annotations as (
    select * from {{ ref('stg_raw__annotations') }}
),

gold_labels as (
    select * from {{ ref('stg_raw__gold_labels') }}
),

annotation_languages as (
    -- one pass over the judgements: per item and language (NULL included), judgements and the
    -- smallest project_id; the item-level figures are rolled up from this small result
    select
        item_id,
        language,
        count(*) as n_judgements,
        min(project_id) as project_id
    from annotations
    group by item_id, language
),

item_annotation_language as (
    select
        item_id,
        language
    from (
        select
            item_id,
            language,
            row_number() over (partition by item_id order by n_judgements desc, language asc) as language_rank
        from annotation_languages
        where language is not null
    ) as ranked
    where language_rank = 1
),

annotated_items as (
    select
        item_id,
        min(project_id) as project_id
    from annotation_languages
    group by item_id
),

all_item_ids as (
    select item_id from items
    union
    select item_id from annotated_items
    union
    select item_id from gold_labels
),

final as (
    select
        all_item_ids.item_id,
        coalesce(items.project_id, annotated_items.project_id, gold_labels.project_id) as project_id,
        items.created_at,
        coalesce(items.language, item_annotation_language.language, 'und') as language,
        items.market,
        items.content_type,
        items.priority,
        items.item_id is not null as is_exported_item
    from all_item_ids
    left join items on all_item_ids.item_id = items.item_id
    left join annotated_items on all_item_ids.item_id = annotated_items.item_id
    left join gold_labels on all_item_ids.item_id = gold_labels.item_id
    left join item_annotation_language on all_item_ids.item_id = item_annotation_language.item_id
)

select * from final
