{#
    weighted_kappa(observed_weighted_sum, n_items, expected_weighted_sum) -> Cohen's weighted
    kappa for two raters from their 2-way table over the n shared items:
        kappa_w = 1 - sum_ij w_ij O_ij / sum_ij w_ij E_ij,  E_ij = a_i b_j / n
                = 1 - n * sum_ij w_ij O_ij / sum_ij w_ij a_i b_j
    with O_ij the count of items rated i by one and j by the other, a_i, b_j their marginals,
    observed_weighted_sum = sum_ij w_ij O_ij and expected_weighted_sum = sum_ij w_ij a_i b_j,
    both formed with the weights of kappa_disagreement_weight. This is what
    sklearn.metrics.cohen_kappa_score(a, b, labels=sorted_levels, weights='linear' |
    'quadratic') computes, and what it equals, including n = 1: one shared item rated i and j
    != i gives E = O, so kappa_w = 0 (as sklearn); rated alike, the expected weighted
    disagreement is 0. NULL exactly where sklearn gives nan: the expected weighted disagreement
    is 0 (both raters used one and the same level only, which includes n = 1 with agreement).
    Reference: Cohen (1968), Weighted kappa, Psychol. Bull. 70(4); Fleiss & Cohen (1973).
#}
{% macro weighted_kappa(observed_weighted_sum, n_items, expected_weighted_sum) -%}
    case
        when ({{ expected_weighted_sum }}) > 0
            then 1.0 - cast(({{ n_items }}) as double) * ({{ observed_weighted_sum }})
            / cast(({{ expected_weighted_sum }}) as double)
    end
{%- endmacro %}


{#
    kappa_disagreement_weight(position_a, position_b, weights) -> the disagreement weight w_ij of
    Cohen's weighted kappa between two levels at 0-based POSITIONS i, j in the sorted list of
    levels (not the levels' values):
        weights = 'linear':    w_ij = |i - j|
        weights = 'quadratic': w_ij = (i - j)^2
    as sklearn.metrics.cohen_kappa_score(weights='linear' | 'quadratic') builds its weight
    matrix (w_ij = |i - j| or (i - j)^2 over the label indices of labels=...). Integer
    positions give integer weights, so the weighted sums of weighted_kappa stay exact.
    Reference: Cohen (1968); Fleiss & Cohen (1973), Educ. Psychol. Meas. 33 (quadratic weights).
#}
{% macro kappa_disagreement_weight(position_a, position_b, weights) -%}
    {%- if weights == 'linear' -%}
        abs(({{ position_a }}) - ({{ position_b }}))
    {%- elif weights == 'quadratic' -%}
        (({{ position_a }}) - ({{ position_b }})) * (({{ position_a }}) - ({{ position_b }}))
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            "kappa_disagreement_weight: weights must be 'linear' or 'quadratic', not " ~ weights) }}
    {%- endif -%}
{%- endmacro %}
