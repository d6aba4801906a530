-- One row per project, annotator, latent true label and label the annotator gave in the
-- project: the Dawid-Skene confusion probability P(annotator says observed_label | the item's
-- true label is true_label) (sums to 1 over observed_label for each annotator and true label;
-- a label the annotator never gave has no row, probability 0) and the expected number of
-- judgements in the cell.
with

confusion as (
    select * from {{ ref('int_latent_confusion') }}
),

final as (
    select
        project_id,
        annotator_id,
        true_label,
        observed_label,
        probability,
        expected_count
    from confusion
)

select * from final
