{#
    cohen_kappa(n_agree, n_items, sum_marginal_products) -> Cohen's kappa for two raters
    (or a rater and a reference) from their 2-way table over the n shared items:
        p_o = n_agree / n,  p_e = sum_c a_c b_c / n^2,  kappa = (p_o - p_e) / (1 - p_e)
    with a_c, b_c the two raters' marginal counts of category c and
    sum_marginal_products = sum_c a_c b_c. Equals sklearn.metrics.cohen_kappa_score.
    NULL when n < 2 (a single shared item says nothing about chance) or p_e = 1 (both used one
    and the same category only), tested on the exact integers n^2 - sum_c a_c b_c.
    Reference: Cohen (1960), A coefficient of agreement for nominal scales.
#}
{% macro cohen_kappa(n_agree, n_items, sum_marginal_products) -%}
    case
        when ({{ n_items }}) >= 2 and ({{ n_items }}) * ({{ n_items }}) - ({{ sum_marginal_products }}) > 0
            then (
                cast(({{ n_agree }}) as double) * ({{ n_items }}) - ({{ sum_marginal_products }})
            ) / cast(({{ n_items }}) * ({{ n_items }}) - ({{ sum_marginal_products }}) as double)
    end
{%- endmacro %}
