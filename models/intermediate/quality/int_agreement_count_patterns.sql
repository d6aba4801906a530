-- One row per project, language, item week, count pattern and label in it: the items of the
-- group whose label counts are exactly that pattern (n_items), and the pattern's count of the
-- label. Two items with the same counts contribute the same terms to every agreement figure
-- and are interchangeable in every delete-one-item jackknife replicate, so the agreement marts
-- read these few rows (weighted by n_items) instead of the item x label counts.
with

item_counts as {{ not_materialized() }}(
    select * from {{ ref('int_item_category_counts') }}
),

item_patterns as (
    -- the one pass over the items: each item's exact count pattern (count_pattern_key)
    select
        project_id,
        language,
        item_week,
        item_id,
        {{ count_pattern_key('label', 'n_votes') }} as count_pattern
    from item_counts
    group by project_id, language, item_week, item_id
),

pattern_groups as (
    -- grouped before any join: one example item per pattern carries the pattern's cells
    select
        project_id,
        language,
        item_week,
        count_pattern,
        min(item_id) as example_item_id,
        cast(count(*) as bigint) as n_items
    from item_patterns
    group by project_id, language, item_week, count_pattern
),

final as (
    select
        pattern_groups.project_id,
        pattern_groups.language,
        pattern_groups.item_week,
        pattern_groups.count_pattern,
        item_counts.label,
        pattern_groups.n_items,
        item_counts.n_votes,
        item_counts.n_judgements
    from pattern_groups
    inner join item_counts
        on
            pattern_groups.project_id = item_counts.project_id
            and pattern_groups.example_item_id = item_counts.item_id
)

select * from final
