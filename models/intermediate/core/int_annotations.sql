-- One row per current judgement, with what every downstream fact needs: the item's language,
-- the handle time, the UTC day and week, and whether it is the annotator's latest judgement
-- of the item (repeats of the same item by the same annotator count once in inter-annotator
-- statistics: the latest one). The ranking window runs only over the (item, annotator) pairs
-- judged more than once (~1% of judgements); every other judgement is its pair's first and
-- latest. The staged judgements are read, not buffered, by both branches (not_materialized).
with

annotations as {{ not_materialized() }}(
    select * from {{ ref('stg_raw__annotations') }}
),

judged_pairs as (
    select
        item_id,
        annotator_id
    from {{ ref('stg_raw__annotations') }}
),

items as (
    select * from {{ ref('int_items') }}
),

repeated_pairs as (
    -- (item, annotator) pairs that may be judged more than once, found on a 64-bit hash of the
    -- pair (macro key_hash: a collision only sends a judgement through the exact ranking below)
    select {{ key_hash(['item_id', 'annotator_id']) }} as pair_key
    from judged_pairs
    group by {{ key_hash(['item_id', 'annotator_id']) }}
    having count(*) > 1
),

flagged as {{ not_materialized() }}(
    select
        annotations.*,
        repeated_pairs.pair_key is not null as is_repeated_pair
    from annotations
    left join repeated_pairs
        on {{ key_hash(['annotations.item_id', 'annotations.annotator_id']) }} = repeated_pairs.pair_key
),

{%- set judgement_columns = ['annotation_id', 'item_id', 'project_id', 'annotator_id', 'label', 'language',
    'submitted_at', 'started_at', 'guideline_version'] %}

sequenced as (
    select
        {%- for c in judgement_columns %}
            {{ c }},
        {%- endfor %}
        1 as judgement_seq,
        true as is_latest_judgement
    from flagged
    where not is_repeated_pair
    union all
    select
        {%- for c in judgement_columns %}
            {{ c }},
        {%- endfor %}
        judgement_seq,
        judgement_seq = n_judgements_by_annotator as is_latest_judgement
    from (
        select
            *,
            row_number() over (
                partition by item_id, annotator_id
                order by submitted_at, annotation_id
            ) as judgement_seq,
            count(*) over (partition by item_id, annotator_id) as n_judgements_by_annotator
        from flagged
        where is_repeated_pair
    ) as repeats
),

final as (
    select
        sequenced.annotation_id,
        sequenced.item_id,
        sequenced.project_id,
        sequenced.annotator_id,
        sequenced.label,
        coalesce(items.language, sequenced.language, 'und') as language,
        sequenced.submitted_at,
        sequenced.started_at,
        {{ epoch_seconds_between('sequenced.started_at', 'sequenced.submitted_at') }} as handle_seconds,
        cast(sequenced.submitted_at as date) as submitted_date,
        cast({{ dbt.date_trunc('week', 'sequenced.submitted_at') }} as date) as submitted_week,
        sequenced.guideline_version,
        sequenced.judgement_seq,
        sequenced.is_latest_judgement
    from sequenced
    left join items on sequenced.item_id = items.item_id
)

select * from final
