-- Which label pairs do annotators confuse most, per project and language?
--
-- An annotator-vs-annotator confusion matrix: every pair of annotators who judged the same
-- item contributes one (label, label) cell, counted in both orientations so the matrix is
-- symmetric (neither annotator is "right"). For each unordered pair of different labels the
-- query reports how many annotator pairs split between them, the share of all annotator pairs
-- of the project and language, and the split rate within the 2 x 2 sub-table of the two
-- labels (split pairs / pairs that used only these two labels) - a high rate on a pair with
-- real volume is a guideline ambiguity worth a calibration session.
--
-- Re-run: dbt compile -s label_confusion_by_language, then run the compiled SQL
-- (target/compiled/labelhouse/analyses/...). Optional var: confusion_min_pairs (default 10),
-- the fewest annotator pairs a label pair needs to be listed.
with

cells as (
    select * from {{ ref('int_annotator_pair_cells') }}
),

symmetric_cells as (
    -- each unordered annotator pair once per orientation: a symmetric confusion matrix
    select
        project_id,
        language,
        label_a as label_row,
        label_b as label_column,
        n_items
    from cells
    union all
    select
        project_id,
        language,
        label_b as label_row,
        label_a as label_column,
        n_items
    from cells
),

confusion_matrix as (
    select
        project_id,
        language,
        label_row,
        label_column,
        sum(n_items) as n_pairs
    from symmetric_cells
    group by project_id, language, label_row, label_column
),

diagonal as (
    -- pairs that agreed on the label; the symmetric matrix holds each of them twice
    select
        project_id,
        language,
        label_row as label,
        n_pairs / 2 as n_agreeing_pairs
    from confusion_matrix
    where label_row = label_column
),

totals as (
    select
        project_id,
        language,
        sum(n_pairs) as n_pairs_total
    from confusion_matrix
    group by project_id, language
),

label_pair_confusion as (
    select
        confusion_matrix.project_id,
        confusion_matrix.language,
        confusion_matrix.label_row as label_1,
        confusion_matrix.label_column as label_2,
        -- each split pair appears once per orientation: the unordered count is the cell itself
        confusion_matrix.n_pairs as n_split_pairs,
        cast(confusion_matrix.n_pairs as double) / (totals.n_pairs_total / 2) as share_of_all_pairs,
        cast(confusion_matrix.n_pairs as double) / (
            coalesce(diagonal_1.n_agreeing_pairs, 0) + coalesce(diagonal_2.n_agreeing_pairs, 0)
            + confusion_matrix.n_pairs
        ) as split_rate
    from confusion_matrix
    inner join totals
        on
            confusion_matrix.project_id = totals.project_id
            and confusion_matrix.language = totals.language
    left join diagonal as diagonal_1
        on
            confusion_matrix.project_id = diagonal_1.project_id
            and confusion_matrix.language = diagonal_1.language
            and confusion_matrix.label_row = diagonal_1.label
    left join diagonal as diagonal_2
        on
            confusion_matrix.project_id = diagonal_2.project_id
            and confusion_matrix.language = diagonal_2.language
            and confusion_matrix.label_column = diagonal_2.label
    where confusion_matrix.label_row < confusion_matrix.label_column
),

final as (
    select
        project_id,
        language,
        label_1,
        label_2,
        n_split_pairs,
        share_of_all_pairs,
        split_rate,
        row_number() over (
            partition by project_id, language order by n_split_pairs desc, label_1 asc, label_2 asc
        ) as confusion_rank
    from label_pair_confusion
    where n_split_pairs >= {{ var('confusion_min_pairs') }}
)

select * from final
order by project_id, language, confusion_rank
