{#
    average_precision(n_positive, tp, fp) -> an aggregate expression: average precision of one
    group from its per-distinct-score tallies, where tp and fp are the cumulative true and false
    positives at threshold = that score (predicted positive when score >= threshold).

        AP = sum_k (R_k - R_{k-1}) * P_k = sum_s (pos_s / P) * tp_s / (tp_s + fp_s)

    the step-wise sum over distinct thresholds in descending order that scikit-learn uses (no
    trapezoids, no interpolation). NULL when the group has no positives.
    Reference: scikit-learn average_precision_score; Manning et al., IR book ch. 8.
#}
{% macro average_precision(n_positive, tp, fp) -%}
    {{ safe_divide(
        'sum(cast(' ~ n_positive ~ ' as double) * ' ~ tp ~ ' / (' ~ tp ~ ' + ' ~ fp ~ '))',
        'sum(' ~ n_positive ~ ')'
    ) }}
{%- endmacro %}
