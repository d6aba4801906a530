-- One row per project and ordered annotator pair (annotator_a, annotator_b), both directions,
-- among the project's var report_pair_top_annotators annotators with the most shared items
-- (summed over their pairs), where Cohen's kappa is defined: the Annotators page's heat map.
-- The figures are those of fct_annotator_pair_agreement; only the choice and the mirror are here.
with

pair_agreement as (
    select * from {{ ref('fct_annotator_pair_agreement') }}
),

both_ways as (
    select
        project_id,
        annotator_a,
        annotator_b,
        n_shared_items,
        cohen_kappa
    from pair_agreement
    union all
    select
        project_id,
        annotator_b as annotator_a,
        annotator_a as annotator_b,
        n_shared_items,
        cohen_kappa
    from pair_agreement
),

annotator_shared_items as (
    select
        project_id,
        annotator_a as annotator_id,
        sum(n_shared_items) as n_shared_items
    from both_ways
    group by project_id, annotator_a
),

top_annotators as (
    select
        project_id,
        annotator_id,
        row_number() over (
            partition by project_id
            order by n_shared_items desc, annotator_id asc
        ) as shared_items_rank
    from annotator_shared_items
),

final as (
    select
        both_ways.project_id,
        both_ways.annotator_a,
        both_ways.annotator_b,
        both_ways.n_shared_items,
        both_ways.cohen_kappa
    from both_ways
    inner join top_annotators as top_a
        on
            both_ways.project_id = top_a.project_id
            and both_ways.annotator_a = top_a.annotator_id
    inner join top_annotators as top_b
        on
            both_ways.project_id = top_b.project_id
            and both_ways.annotator_b = top_b.annotator_id
    where
        top_a.shared_items_rank <= {{ var('report_pair_top_annotators') }}
        and top_b.shared_items_rank <= {{ var('report_pair_top_annotators') }}
        and both_ways.cohen_kappa is not null
)

select * from final
