-- One row per project, annotator and pair of labels: how often an annotator who judged the
-- same item more than once (distinct annotation_ids, e.g. a re-queue to measure
-- self-consistency) gave label_earlier then label_later. Every pair of the annotator's
-- judgements of an item counts once, ordered by submission. These are the cells of the
-- intra-annotator 2-way table (self_agreement, self_kappa).
with

annotations as (
    select * from {{ ref('int_annotations') }}
),

repeated as (
    -- only (item, annotator) groups with more than one judgement
    select
        item_id,
        project_id,
        annotator_id,
        label,
        judgement_seq
    from annotations
    where judgement_seq > 1 or not is_latest_judgement
),

final as (
    select
        earlier.project_id,
        earlier.annotator_id,
        earlier.label as label_earlier,
        later.label as label_later,
        cast(count(*) as bigint) as n_pairs
    from repeated as earlier
    inner join repeated as later
        on
            earlier.item_id = later.item_id
            and earlier.annotator_id = later.annotator_id
            and earlier.judgement_seq < later.judgement_seq
    group by earlier.project_id, earlier.annotator_id, earlier.label, later.label
)

select * from final
