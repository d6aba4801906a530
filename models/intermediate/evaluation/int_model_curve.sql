-- One row per evaluation group (model_name, model_version, label, language, truth_source) and
-- distinct score, taken as a decision threshold (predicted positive when score >= threshold):
-- the confusion counts and rates at that threshold, from cumulative sums over the score
-- tallies in descending score order. The full curve: fct_model_eval reads its areas and
-- operating points from here, fct_model_curve thins it for charts.
with

score_tallies as (
    select * from {{ ref('int_prediction_score_tallies') }}
),

cumulated as (
    select
        model_name,
        model_version,
        label,
        language,
        truth_source,
        decision_threshold,
        score,
        n_positive,
        n_negative,
        cast(sum(n_positive) over group_by_score as bigint) as tp,
        cast(sum(n_negative) over group_by_score as bigint) as fp,
        cast(sum(n_positive) over whole_group as bigint) as total_positive,
        cast(sum(n_negative) over whole_group as bigint) as total_negative,
        row_number() over group_by_score as score_rank,
        count(*) over whole_group as n_scores
    from score_tallies
    window
        whole_group as (partition by model_name, model_version, label, language, truth_source),
        group_by_score as (
            partition by model_name, model_version, label, language, truth_source
            order by score desc
            rows between unbounded preceding and current row
        )
),

final as (
    select
        model_name,
        model_version,
        label,
        language,
        truth_source,
        decision_threshold,
        score as threshold,
        score_rank,
        n_scores,
        n_positive as n_positive_at_score,
        n_negative as n_negative_at_score,
        total_positive,
        total_negative,
        tp,
        fp,
        total_positive - tp as fn,
        total_negative - fp as tn,
        {{ safe_divide('tp', 'tp + fp') }} as precision,
        {{ safe_divide('tp', 'total_positive') }} as recall,
        {{ safe_divide('fp', 'total_negative') }} as fpr
    from cumulated
)

select * from final
