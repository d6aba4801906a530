-- The precision-recall and ROC curves: one row per evaluation group (model_name,
-- model_version, label, language, truth_source) and kept threshold, thinned to at most
-- var eval_curve_max_points points per curve (the highest and the lowest score always kept, the
-- rest evenly spread over the distinct scores). Thinning only drops
-- rows: every count and rate is the one computed on the full data in int_model_curve.
{%- set max_points = var('eval_curve_max_points') %}
with

curve as (
    select * from {{ ref('int_model_curve') }}
),

final as (
    select
        model_name,
        model_version,
        label,
        language,
        truth_source,
        threshold,
        score_rank,
        tp,
        fp,
        fn,
        tn,
        precision,
        recall,
        fpr
    from curve
    where {{ evenly_spread_point('score_rank', 'n_scores', max_points) }}
)

select * from final
