-- One row per item of the Agreement page's adjudication queue: the items fct_item_consensus
-- says need adjudication, ranked lowest consensus share first (then most judgements, then
-- item_id), the first max_items of them. adjudication_rank 1 = the item to settle first.
{#- max_items: the queue's length (the page ships it whole). #}
{%- set max_items = var('report_adjudication_max_items') %}
with

item_consensus as (
    select * from {{ ref('fct_item_consensus') }}
    where needs_adjudication
),

ranked as (
    select
        item_id,
        project_id,
        language,
        n_annotations,
        consensus_label,
        consensus_share,
        is_tie,
        adjudication_reason,
        row_number() over (
            order by consensus_share asc, n_annotations desc, item_id asc, project_id asc
        ) as adjudication_rank
    from item_consensus
),

final as (
    select
        adjudication_rank,
        item_id,
        project_id,
        language,
        n_annotations,
        consensus_label,
        consensus_share,
        is_tie,
        adjudication_reason
    from ranked
    where adjudication_rank <= {{ max_items }}
)

select * from final
