{#
    specific_agreement(sum_same_pairs, sum_all_pairs) -> specific agreement on one category c
    (positive specific agreement when c is the positive label), for any number of raters:
        ps_c = sum_u n_uc (n_uc - 1) / sum_u n_uc (m_u - 1)
    over items with m_u >= 2: of the ordered pairs of judgements on an item whose first member
    says c, the share whose second member says c too. With two raters it is 2a / (2a + b + c);
    pooled over every ordered pair it equals the F1 score of "first vs second judgement".
    NULL when no judgement says c on an item with m_u >= 2.
    Reference: Fleiss (1975), Measuring agreement between two judges on the presence or absence
    of a trait; Uebersax, Statistical Methods for Rater Agreement, "Raw agreement indices".
#}
{% macro specific_agreement(sum_same_pairs, sum_all_pairs) -%}
    case
        when ({{ sum_all_pairs }}) > 0 then cast(({{ sum_same_pairs }}) as double) / ({{ sum_all_pairs }})
    end
{%- endmacro %}
