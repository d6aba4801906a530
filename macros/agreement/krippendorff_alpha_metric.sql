{#
    krippendorff_alpha_metric(n_values, observed_sum, expected_sum) -> Krippendorff's alpha for
    a metric difference delta^2_ck between values c and k (interval, ordinal):
        alpha = 1 - D_o / D_e = 1 - (n - 1) * sum_ck o_ck delta^2_ck / sum_ck n_c n_k delta^2_ck
    with the coincidences o_ck = sum_u n_uc n_uk / (m_u - 1) over pairable units (m_u >= 2;
    the diagonal carries no difference, so the -[c = k] of Krippendorff's o_ck drops out) and
    n_c their marginals, n = sum_c n_c; i.e. D_o = (1/n) sum_u sum_ck n_uc n_uk delta^2_ck /
    (m_u - 1) and D_e = sum_ck n_c n_k delta^2_ck / (n (n - 1)). observed_sum and expected_sum
    are the two double sums. Missing judgements are absent units' cells (m_u varies).
    NULL when n < 2 or the expected disagreement is 0 (a single value).
    Equals krippendorff.alpha(..., level_of_measurement='interval' | 'ordinal').
    Reference: Krippendorff (2011), Computing Krippendorff's Alpha-Reliability, sections E-F.

    metric_difference_sq(score_c, score_k) -> delta^2_ck = (score_c - score_k)^2.
      interval: the score is the value itself, delta^2 = (c - k)^2.
      ordinal:  the score is the value's mid-rank (ordinal_midrank), since Krippendorff's
                delta^2_ck = (sum_{g = c..k} n_g - (n_c + n_k) / 2)^2 = (M_k - M_c)^2 with
                M_g = sum_{h < g} n_h + n_g / 2; so ordinal alpha is interval alpha on the
                mid-ranks of the pooled pairable values, and depends on the marginals n_g.

    ordinal_midrank(cumulative_count, count) -> M_g = cumulative_count - count / 2, where
      cumulative_count = sum_{h <= g} n_h (values in ascending order).
#}
{% macro krippendorff_alpha_metric(n_values, observed_sum, expected_sum) -%}
    case
        when ({{ n_values }}) >= 2 and ({{ expected_sum }}) > 0
            then 1.0 - cast(({{ n_values }}) - 1 as double) * ({{ observed_sum }}) / ({{ expected_sum }})
    end
{%- endmacro %}

{% macro metric_difference_sq(score_c, score_k) -%}
    (({{ score_c }}) - ({{ score_k }})) * (({{ score_c }}) - ({{ score_k }}))
{%- endmacro %}

{% macro ordinal_midrank(cumulative_count, count) -%}
    (cast({{ cumulative_count }} as double) - cast({{ count }} as double) / 2.0)
{%- endmacro %}
