{#
    f1_score(tp, fp, fn) -> F1 = 2 tp / (2 tp + fp + fn), the harmonic mean of precision and
    recall written on counts (0 when tp = 0 but there are positives or predicted positives,
    as scikit-learn computes it). NULL when there are no positives and no predicted positives.
    Reference: scikit-learn precision_recall_fscore_support / f1_score.
#}
{% macro f1_score(tp, fp, fn) -%}
    {{ safe_divide('2 * ' ~ tp, '2 * ' ~ tp ~ ' + ' ~ fp ~ ' + ' ~ fn) }}
{%- endmacro %}
