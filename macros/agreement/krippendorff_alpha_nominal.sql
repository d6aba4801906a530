{#
    item_coincidence_disagreement(n_judgements, sum_sq_counts) -> one item's contribution to
    the observed disagreement of nominal alpha: (m_u^2 - sum_c n_uc^2) / (m_u - 1), i.e. the
    off-diagonal mass of the item's coincidence matrix. NULL when m_u < 2 (unpairable).

    krippendorff_alpha_nominal(n_values, sum_item_disagreement, sum_sq_category_totals) ->
        alpha = 1 - (n - 1) * sum_u[(m_u^2 - sum_c n_uc^2) / (m_u - 1)] / (n^2 - sum_c n_c^2)
    over items with m_u >= 2 (n = pairable values, n_c = pairable values of category c).
    Missing judgements are simply absent (m_u varies), as in Krippendorff's reliability data
    matrix with blanks; equals krippendorff.alpha(..., level_of_measurement='nominal').
    NULL when n^2 = sum_c n_c^2 (zero expected disagreement: one category only) or n = 0.
    Reference: Krippendorff (2011), Computing Krippendorff's Alpha-Reliability, section C.
#}
{% macro item_coincidence_disagreement(n_judgements, sum_sq_counts) -%}
    case
        when ({{ n_judgements }}) >= 2
            then cast(({{ n_judgements }}) * ({{ n_judgements }}) - ({{ sum_sq_counts }}) as double)
            / (({{ n_judgements }}) - 1)
    end
{%- endmacro %}

{% macro krippendorff_alpha_nominal(n_values, sum_item_disagreement, sum_sq_category_totals) -%}
    case
        when ({{ n_values }}) > 0 and ({{ n_values }}) * ({{ n_values }}) - ({{ sum_sq_category_totals }}) > 0
            then 1.0 - cast(({{ n_values }}) - 1 as double) * ({{ sum_item_disagreement }})
            / cast(({{ n_values }}) * ({{ n_values }}) - ({{ sum_sq_category_totals }}) as double)
    end
{%- endmacro %}
