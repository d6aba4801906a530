{#
    cost_per_correct(cost, n_judgements, accuracy) -> cost per correct judgement:

        cost_per_correct = cost / (n_judgements * accuracy)

    the cost of one judgement that is right, with `accuracy` estimated on the gold items. Pass
    an interval bound of the accuracy as `accuracy` to get the interval on the cost: the map
    accuracy -> cost / (n * accuracy) is decreasing, so the accuracy's upper bound gives the
    lower bound of the cost and the lower bound gives the upper one (the bounds swap; an
    accuracy bound of 0 gives NULL, an unbounded cost). NULL when the cost is NULL (no rate),
    n_judgements is 0 or the accuracy is NULL or 0 (safe_divide). A monotone transform of a
    confidence interval keeps its coverage (Casella & Berger, Statistical Inference, 9.2.3).
#}
{% macro cost_per_correct(cost, n_judgements, accuracy) -%}
    {{ safe_divide(cost, '(' ~ n_judgements ~ ') * (' ~ accuracy ~ ')') }}
{%- endmacro %}
