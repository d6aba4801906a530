{#
    item_pairwise_agreement(n_judgements, sum_sq_counts) -> the share of agreeing ordered pairs
    of judgements on one item: sum_c n_uc (n_uc - 1) / (m_u (m_u - 1)), written with
    sum_sq_counts = sum_c n_uc^2 and n_judgements = m_u. NULL when m_u < 2.

    percent_agreement(sum_item_agreement, n_items) -> the mean of the above over items with
    m_u >= 2 (pairwise percent agreement, Fleiss' P-bar). NULL when there is no such item.
    Reference: Fleiss (1971), eq. 2-3; Gwet (2014), Handbook of Inter-Rater Reliability, 2.5.
#}
{% macro item_pairwise_agreement(n_judgements, sum_sq_counts) -%}
    case
        when ({{ n_judgements }}) >= 2
            then cast(({{ sum_sq_counts }}) - ({{ n_judgements }}) as double)
            / (cast(({{ n_judgements }}) as double) * (({{ n_judgements }}) - 1))
    end
{%- endmacro %}

{% macro percent_agreement(sum_item_agreement, n_items) -%}
    case when ({{ n_items }}) > 0 then ({{ sum_item_agreement }}) / cast(({{ n_items }}) as double) end
{%- endmacro %}
