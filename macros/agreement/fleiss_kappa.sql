{#
    fleiss_kappa(p_bar, n_values, sum_sq_category_totals) -> Fleiss' kappa
        (P_bar - P_e) / (1 - P_e),  P_e = sum_c (n_c / n)^2
    with P_bar the percent agreement (mean per-item pairwise agreement, items with m_u >= 2),
    n_c = judgements of category c on those items, n = sum_c n_c (n_values) and
    sum_sq_category_totals = sum_c n_c^2.

    Unequal numbers of judgements per item: P_bar stays the unweighted mean of the per-item
    agreements and P_e uses the pooled category shares n_c / n. With equal m_u this is exactly
    statsmodels.stats.inter_rater.fleiss_kappa(table, method='fleiss'); with unequal m_u it is
    the usual generalisation (e.g. Fleiss, Levin & Paik 2003, 18.1 uses the same pooled P_e).
    NULL when there is no item with m_u >= 2 or when P_e = 1 (one category only), tested on
    the exact integers n^2 - sum_c n_c^2 so rounding never turns 0/0 into a number.
    Reference: Fleiss (1971), Measuring nominal scale agreement among many raters.
#}
{% macro fleiss_kappa(p_bar, n_values, sum_sq_category_totals) -%}
    case
        when ({{ n_values }}) > 0 and ({{ n_values }}) * ({{ n_values }}) - ({{ sum_sq_category_totals }}) > 0
            then (
                ({{ p_bar }}) - cast(({{ sum_sq_category_totals }}) as double)
                / (cast(({{ n_values }}) as double) * ({{ n_values }}))
            ) / (
                cast(({{ n_values }}) * ({{ n_values }}) - ({{ sum_sq_category_totals }}) as double)
                / (cast(({{ n_values }}) as double) * ({{ n_values }}))
            )
    end
{%- endmacro %}
