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

{#
    two_rater_marginals(cells_relation, key_cols, label_a, label_b, count_col) -> the select of
    key_cols, label, n_a, n_b: the per-label marginal counts of the two raters of a 2-way table,
    over the union of the labels either rater used (0 for a label one rater never used).
    cells_relation has one row per key_cols, label_a and label_b (or several: they are summed)
    with the count count_col. The caller forms cohen_kappa's
    sum_marginal_products = cast(sum(n_a * n_b) as bigint) grouped by key_cols, i.e. n^2 p_e
    with p_e = sum_c (n_a(c) / n) (n_b(c) / n).
#}
{% macro two_rater_marginals(cells_relation, key_cols, label_a, label_b, count_col) -%}
{%- set keys = key_cols | join(', ') -%}
    select
        {{ keys }},
        label,
        cast(sum(n_a) as bigint) as n_a,
        cast(sum(n_b) as bigint) as n_b
    from (
        select
            {{ keys }},
            {{ label_a }} as label,
            cast({{ count_col }} as bigint) as n_a,
            cast(0 as bigint) as n_b
        from {{ cells_relation }}
        union all
        select
            {{ keys }},
            {{ label_b }} as label,
            cast(0 as bigint) as n_a,
            cast({{ count_col }} as bigint) as n_b
        from {{ cells_relation }}
    ) as rater_sides
    group by {{ keys }}, label
{%- endmacro %}
