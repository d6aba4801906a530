{#
    roc_auc(n_positive, n_negative, n_negative_below) -> an aggregate expression: the area under
    the ROC curve of one group from its per-distinct-score tallies (one row per distinct score).

        AUC = sum_s pos_s * (neg_below_s + 0.5 * neg_s) / (P * N)

    pos_s, neg_s: positives and negatives with score exactly s; neg_below_s: negatives with a
    score strictly below s; P, N: totals. This is the Mann-Whitney U statistic with ties counted
    one half, equal to the trapezoidal area under the ROC curve over distinct thresholds.
    NULL when the group has no positives or no negatives (a single class).
    Reference: Hanley & McNeil (1982); scikit-learn roc_auc_score.
#}
{% macro roc_auc(n_positive, n_negative, n_negative_below) -%}
    {{ safe_divide(
        'sum(cast(' ~ n_positive ~ ' as double) * (' ~ n_negative_below ~ ' + 0.5 * ' ~ n_negative ~ '))',
        'cast(sum(' ~ n_positive ~ ') as double) * cast(sum(' ~ n_negative ~ ') as double)'
    ) }}
{%- endmacro %}
