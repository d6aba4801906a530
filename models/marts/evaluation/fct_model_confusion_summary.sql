-- One row per model_name, model_version and truth_source ('gold', 'consensus', 'all'): the
-- multi-class accuracy of the arg-max decision and its macro and support-weighted F1 over the
-- labels that occur as truth or as prediction (scikit-learn's default label set).
with

confusion as (
    select * from {{ ref('fct_model_confusion') }}
),

label_cells as (
    select
        model_name,
        model_version,
        truth_source,
        truth_label as label,
        n_items as n_true,
        0 as n_predicted,
        case when truth_label = predicted_label then n_items else 0 end as n_correct
    from confusion
    union all
    select
        model_name,
        model_version,
        truth_source,
        predicted_label as label,
        0 as n_true,
        n_items as n_predicted,
        0 as n_correct
    from confusion
),

per_label as (
    select
        model_name,
        model_version,
        truth_source,
        label,
        cast(sum(n_true) as bigint) as support,
        cast(sum(n_predicted) as bigint) as n_predicted,
        cast(sum(n_correct) as bigint) as tp
    from label_cells
    group by model_name, model_version, truth_source, label
),

per_label_f1 as (
    select
        *,
        {{ f1_score('tp', 'n_predicted - tp', 'support - tp') }} as f1
    from per_label
),

final as (
    select
        model_name,
        model_version,
        truth_source,
        cast(sum(support) as bigint) as n_items,
        cast(sum(tp) as bigint) as n_correct,
        {{ safe_divide('sum(tp)', 'sum(support)') }} as accuracy,
        count(*) as n_labels,
        avg(f1) as macro_f1,
        {{ safe_divide('sum(f1 * support)', 'sum(support)') }} as weighted_f1
    from per_label_f1
    group by model_name, model_version, truth_source
)

select * from final
