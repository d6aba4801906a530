{#
    gwet_ac1(p_a, n_categories, sum_propensity_variance) -> Gwet's AC1
        (p_a - p_e) / (1 - p_e),  p_e = 1 / (Q - 1) * sum_c pi_c (1 - pi_c)
    with p_a the percent agreement (items with m_u >= 2), Q = n_categories (categories used
    in the group), pi_c = mean over every rated item (m_u >= 1) of n_uc / m_u, and
    sum_propensity_variance = sum_c pi_c (1 - pi_c). Equals irrCAC's CAC(ratings).gwet()
    (categories = the values present) with missing ratings.
    NULL when Q < 2 (one category: chance agreement is meaningless) or p_a is NULL; with Q >= 2
    p_e <= 1/Q < 1, so the denominator never vanishes.
    Reference: Gwet (2008), Computing inter-rater reliability and its variance in the presence
    of high agreement, Br. J. Math. Stat. Psychol. 61, 29-48.
#}
{% macro gwet_ac1(p_a, n_categories, sum_propensity_variance) -%}
    case
        when ({{ n_categories }}) >= 2
            then (
                ({{ p_a }}) - ({{ sum_propensity_variance }}) / (({{ n_categories }}) - 1)
            ) / (1.0 - ({{ sum_propensity_variance }}) / (({{ n_categories }}) - 1))
    end
{%- endmacro %}
