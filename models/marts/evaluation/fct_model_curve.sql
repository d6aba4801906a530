-- The precision-recall and ROC curves: one row per evaluation group (model_name,
-- model_version, label, language, truth_source) and kept threshold, thinned to at most
-- var eval_curve_max_points points per curve (default 200; the highest and the lowest score
-- always kept, the rest at an even stride over the distinct scores). Thinning only drops
-- rows: every count and rate is the one computed on the full data in int_model_curve.
{%- set max_points = var('eval_curve_max_points', 200) %}
with

curve as (
    select * from {{ ref('int_model_curve') }}
),

strided as (
    select
        *,
        -- ceil((n - 1) / (max - 1)) without engine-specific integer division
        case
            when n_scores <= {{ max_points }} then 1
            else cast(ceil(cast(n_scores - 1 as double) / ({{ max_points }} - 1)) as bigint)
        end as stride,
    from curve
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
        fpr,
    from strided
    where mod(score_rank - 1, stride) = 0 or score_rank = n_scores
)

select * from final
