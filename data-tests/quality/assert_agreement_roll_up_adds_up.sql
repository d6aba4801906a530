-- The language = 'all' row of fct_agreement covers exactly its project's languages: its item,
-- judgement and pairable-judgement counts are the sums over the language rows (an item has one
-- language), and the per-language annotator counts never exceed the roll-up's.
with

agreement as (
    select * from {{ ref('fct_agreement') }}
),

by_language as (
    select
        project_id,
        sum(n_items) as n_items,
        sum(n_annotations) as n_annotations,
        sum(n_pairable_annotations) as n_pairable_annotations,
        max(n_annotators) as max_annotators
    from agreement
    where language != 'all'
    group by project_id
),

rolled_up as (
    select * from agreement
    where language = 'all'
)

select
    rolled_up.project_id,
    rolled_up.n_items,
    by_language.n_items as sum_of_languages
from rolled_up
full outer join by_language on rolled_up.project_id = by_language.project_id
where
    rolled_up.project_id is null
    or by_language.project_id is null
    or rolled_up.n_items != by_language.n_items
    or rolled_up.n_annotations != by_language.n_annotations
    or rolled_up.n_pairable_annotations != by_language.n_pairable_annotations
    or rolled_up.n_annotators < by_language.max_annotators
