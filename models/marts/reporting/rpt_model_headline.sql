-- One row per model_name: the Overview's model headline, its latest version (the greatest
-- model_version, compared as text as fct_model_version_comparison does) against the version
-- before it. The figures are unweighted means over the model's labels of the per-label ROC AUC
-- and F1 (every language pooled, truth = gold, else consensus): a summary of the label
-- metrics, not a multi-class metric.
with

eval as (
    select * from {{ ref('fct_model_eval') }}
    where language = 'all' and truth_source = 'all'
),

by_version as (
    select
        model_name,
        model_version,
        count(*) as n_labels,
        avg(roc_auc) as mean_roc_auc,
        avg(f1) as mean_f1
    from eval
    group by model_name, model_version
),

ranked as (
    select
        *,
        row_number() over (partition by model_name order by model_version desc) as versions_back
    from by_version
),

final as (
    select
        model_name,
        max(case when versions_back = 1 then model_version end) as latest_version,
        max(case when versions_back = 2 then model_version end) as previous_version,
        max(case when versions_back = 1 then n_labels end) as n_labels,
        max(case when versions_back = 1 then mean_roc_auc end) as roc_auc_latest,
        max(case when versions_back = 2 then mean_roc_auc end) as roc_auc_previous,
        max(case when versions_back = 1 then mean_f1 end) as f1_latest,
        max(case when versions_back = 2 then mean_f1 end) as f1_previous
    from ranked
    group by model_name
)

select * from final
