{#
    weighted_kappa(observed_weighted_sum, n_items, expected_weighted_sum) -> Cohen's weighted
    kappa for two raters from their 2-way table over the n shared items:
        kappa_w = 1 - sum_ij w_ij O_ij / sum_ij w_ij E_ij,  E_ij = a_i b_j / n
                = 1 - n * sum_ij w_ij O_ij / sum_ij w_ij a_i b_j
    with O_ij the count of items rated i by one and j by the other, a_i, b_j their marginals,
    observed_weighted_sum = sum_ij w_ij O_ij and expected_weighted_sum = sum_ij w_ij a_i b_j.
    Linear weights w_ij = |i - j|, quadratic w_ij = (i - j)^2, where i, j are POSITIONS in the
    sorted list of levels (0, 1, 2, ...), not the levels' values: this is what
    sklearn.metrics.cohen_kappa_score(a, b, labels=sorted_levels, weights='linear' |
    'quadratic') computes, and what it equals. NULL when n < 2 (as cohen_kappa) or the
    expected weighted disagreement is 0 (both raters used one and the same level only).
    Reference: Cohen (1968), Weighted kappa, Psychol. Bull. 70(4); Fleiss & Cohen (1973).
#}
{% macro weighted_kappa(observed_weighted_sum, n_items, expected_weighted_sum) -%}
    case
        when ({{ n_items }}) >= 2 and ({{ expected_weighted_sum }}) > 0
            then 1.0 - cast(({{ n_items }}) as double) * ({{ observed_weighted_sum }})
            / cast(({{ expected_weighted_sum }}) as double)
    end
{%- endmacro %}
