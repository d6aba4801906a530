-- One row per evaluation group and distinct score: how many positives and negatives got
-- exactly that score. An evaluation group is model_name, model_version, label, language and
-- truth_source, where language 'all' and truth_source 'all' are roll-ups: each scored item is
-- counted under its own language and 'all', and its own truth source and 'all' (four copies
-- from one scan, instead of four separate aggregations). truth_source 'all' rolls up the
-- observed truths ('gold', 'consensus') only: an item's 'latent' truth is a second truth of the
-- same item, so 'latent' rows are counted under their own truth source and never under 'all'.
-- Every ranking and calibration metric is a function of these tallies, which are far fewer
-- rows than predictions when scores tie.
with

prediction_truth as (
    select * from {{ ref('int_prediction_truth') }}
),

rollups as (
    select
        rollup_rows.by_language,
        rollup_rows.by_truth_source
    from (
        values (true, true), (true, false), (false, true), (false, false)
    ) as rollup_rows (by_language, by_truth_source)
),

expanded as (
    select
        prediction_truth.model_name,
        prediction_truth.model_version,
        prediction_truth.label,
        case when rollups.by_language then prediction_truth.language else 'all' end as language,
        {{ truth_source_rollup('prediction_truth.truth_source', 'rollups.by_truth_source') }} as truth_source,
        prediction_truth.decision_threshold,
        prediction_truth.score,
        prediction_truth.is_positive
    from prediction_truth
    cross join rollups
    where {{ in_truth_source_rollup('prediction_truth.truth_source', 'rollups.by_truth_source') }}
),

final as (
    select
        model_name,
        model_version,
        label,
        language,
        truth_source,
        decision_threshold,
        score,
        cast(sum(case when is_positive then 1 else 0 end) as bigint) as n_positive,
        cast(sum(case when is_positive then 0 else 1 end) as bigint) as n_negative
    from expanded
    group by model_name, model_version, label, language, truth_source, decision_threshold, score
)

select * from final
