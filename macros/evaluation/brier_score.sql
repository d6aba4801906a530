{#
    brier_score(score, n_positive, n_negative) -> an aggregate expression: mean squared error of
    the score as a probability of the positive class, from per-distinct-score tallies.

        Brier = sum_s [pos_s * (1 - s)^2 + neg_s * s^2] / n

    Defined for a single class too. Reference: Brier (1950); scikit-learn brier_score_loss.
#}
{% macro brier_score(score, n_positive, n_negative) -%}
    {%- set squared_error -%}
        sum(
            {{ n_positive }} * (1 - {{ score }}) * (1 - {{ score }})
            + {{ n_negative }} * {{ score }} * {{ score }}
        )
    {%- endset -%}
    {{ safe_divide(squared_error, 'sum(' ~ n_positive ~ ' + ' ~ n_negative ~ ')') }}
{%- endmacro %}
