-- The Models page's PR, ROC and threshold curves: one row per model_name, model_version, label,
-- language and kept curve point of fct_model_curve, truth = gold, else consensus (truth_source
-- 'all'). Chart-sized whatever the number of models: every curve keeps the same number of
-- evenly spread points (its first and last included), at most var report_curve_max_points and
-- at most max_rows / (curves) - 1, so the table holds at most max_rows rows (the curves, each
-- with its points and the version's operating point, the lowest kept score at or above its
-- threshold), and at least 2 points per curve. series names the curve's model and version, the
-- key every chart draws one line per.
{%- set max_points = var('report_curve_max_points') %}
{#- max_rows: the table's row budget, below the report's row cap (labelhouse/report/data.py
    MAX_ROWS = 20,000 rows per page query, an error beyond it). #}
{%- set max_rows = var('report_curve_max_rows') %}
with

curve as (
    select * from {{ ref('fct_model_curve') }}
    where truth_source = 'all'
),

operating as (
    select
        model_name,
        model_version,
        label,
        language,
        threshold as operating_threshold
    from {{ ref('fct_model_eval') }}
    where truth_source = 'all'
),

curves as (
    select
        model_name,
        model_version,
        label,
        language
    from curve
    group by model_name, model_version, label, language
),

points_per_curve as (
    select
        greatest(
            least(
                {{ max_points }},
                cast(floor({{ safe_divide(max_rows, 'count(*)') }}) as bigint) - 1
            ),
            2
        ) as curve_max_points
    from curves
),

ranked as (
    select
        curve.model_name,
        curve.model_version,
        curve.label,
        curve.language,
        curve.threshold,
        curve.score_rank,
        curve.precision,
        curve.recall,
        curve.fpr,
        operating.operating_threshold,
        points_per_curve.curve_max_points,
        row_number() over (
            partition by curve.model_name, curve.model_version, curve.label, curve.language
            order by curve.score_rank
        ) as point_rank,
        count(*) over (
            partition by curve.model_name, curve.model_version, curve.label, curve.language
        ) as n_points,
        min(
            case
                when {{ is_predicted_positive('curve.threshold', 'operating.operating_threshold') }}
                    then curve.threshold
            end
        ) over (
            partition by curve.model_name, curve.model_version, curve.label, curve.language
        ) as operating_point_threshold
    from curve
    cross join points_per_curve
    left join operating
        on
            curve.model_name = operating.model_name
            and curve.model_version = operating.model_version
            and curve.label = operating.label
            and curve.language = operating.language
),

final as (
    select
        model_name,
        model_version,
        concat(model_name, ' ', model_version) as series,
        label,
        language,
        threshold,
        score_rank,
        precision,
        recall,
        fpr,
        operating_threshold,
        coalesce(threshold = operating_point_threshold, false) as is_operating_point
    from ranked
    where
        {{ evenly_spread_point('point_rank', 'n_points', 'curve_max_points') }}
        or threshold = operating_point_threshold
)

select * from final
