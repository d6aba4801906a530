{#
    log_loss(score, n_positive, n_negative, eps=2.220446049250313e-16) -> an aggregate
    expression: mean binary cross-entropy from per-distinct-score tallies.

        log_loss = -sum_s [pos_s * ln(clip(s)) + neg_s * ln(clip(1 - s))] / n
        clip(p) = min(max(p, eps), 1 - eps)

    eps is the float64 machine epsilon, as scikit-learn >= 1.5 clips (it no longer takes an eps
    argument): a score of exactly 0 or 1 on the wrong side costs -ln(eps) = 36.04 instead of
    infinity. Defined for a single class too.
    Reference: scikit-learn log_loss (sklearn/metrics/_classification.py, _log_loss).
#}
{% macro log_loss(score, n_positive, n_negative, eps=2.220446049250313e-16) -%}
    {%- set lower = 'cast(' ~ eps ~ ' as double)' -%}
    {%- set upper = 'cast(' ~ (1.0 - eps) ~ ' as double)' -%}
    {%- set cross_entropy -%}
        -sum(
            {{ n_positive }} * ln(
                case
                    when {{ score }} < {{ lower }} then {{ lower }}
                    when {{ score }} > {{ upper }} then {{ upper }}
                    else {{ score }}
                end
            )
            + {{ n_negative }} * ln(
                case
                    when 1 - {{ score }} < {{ lower }} then {{ lower }}
                    when 1 - {{ score }} > {{ upper }} then {{ upper }}
                    else 1 - {{ score }}
                end
            )
        )
    {%- endset -%}
    {{ safe_divide(cross_entropy, 'sum(' ~ n_positive ~ ' + ' ~ n_negative ~ ')') }}
{%- endmacro %}
