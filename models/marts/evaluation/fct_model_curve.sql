-- The precision-recall and ROC curves: one row per evaluation group (model_name,
-- model_version, label, language, truth_source) and kept threshold, thinned to at most
-- var eval_curve_max_points points per curve (default 200; the highest and the lowest score
-- always kept, the rest evenly spread over the distinct scores). Thinning only drops
-- rows: every count and rate is the one computed on the full data in int_model_curve.
{%- set max_points = var('eval_curve_max_points') %}
with

curve as (
    select * from {{ ref('int_model_curve') }}
),

-- keep the points at ranks floor(i * (n - 1) / (max - 1)), i = 0 .. max - 1: exactly max
-- evenly spread points, the first and the last included. A rank j (0-based) is one of them when
-- the smallest i with i * (n - 1) >= j * (max - 1) also has i * (n - 1) < (j + 1) * (max - 1).
spread as (
    select
        *,
        cast(
            ceil(cast((score_rank - 1) * ({{ max_points }} - 1) as double) / greatest(n_scores - 1, 1)) as bigint
        ) as nearest_point
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
        fpr
    from spread
    where
        n_scores <= {{ max_points }}
        or nearest_point * (n_scores - 1) < score_rank * ({{ max_points }} - 1)
)

select * from final
