-- One row per project, language, unordered annotator pair (annotator_a < annotator_b) and
-- pair of labels they gave: the cells of each pair's 2-way table over the items both judged
-- (latest judgement of each). Items carry 3-5 judgements, so the self-join stays small; the
-- cells feed the pairwise Cohen's kappa and the label confusion analysis. The judgements are
-- scanned twice (not buffered: DuckDB would hold a CTE read twice whole, 10M rows).
with

annotations as {{ not_materialized() }}(
    select * from {{ ref('int_annotations') }}
    where is_latest_judgement
),

pairs as (
    select
        first_judgement.project_id,
        first_judgement.language,
        first_judgement.annotator_id as annotator_a,
        second_judgement.annotator_id as annotator_b,
        first_judgement.label as label_a,
        second_judgement.label as label_b
    from annotations as first_judgement
    inner join annotations as second_judgement
        on
            first_judgement.item_id = second_judgement.item_id
            and first_judgement.project_id = second_judgement.project_id
            and first_judgement.annotator_id < second_judgement.annotator_id
),

final as (
    select
        project_id,
        language,
        annotator_a,
        annotator_b,
        label_a,
        label_b,
        cast(count(*) as bigint) as n_items
    from pairs
    group by project_id, language, annotator_a, annotator_b, label_a, label_b
)

select * from final
