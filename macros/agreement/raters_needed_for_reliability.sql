{#
    raters_needed_for_reliability(alpha, target) -> the Spearman-Brown prophecy of how many
    ratings per item the consensus (mean) of k ratings needs to reach reliability `target`,
    when one rating has reliability alpha:
        rho_k = k alpha / (1 + (k - 1) alpha)  =>  k = target (1 - alpha) / (alpha (1 - target))
    Krippendorff's alpha is a single-rating reliability (it does not grow with the number of
    coders per item), so it plays rho_1. Assumes exchangeable raters (each rating equally
    reliable, errors uncorrelated given the item) and that the k ratings are aggregated into
    one consensus judgement. A result below 1 means one rating already reaches the target.
    NULL when alpha is NULL or alpha <= 0 (no number of raters reaches a positive target) or
    target is outside (0, 1).
    Reference: Spearman (1910), Brown (1910); Shrout & Fleiss (1979), Psychol. Bull. 86(2), eq. 5.
#}
{% macro raters_needed_for_reliability(alpha, target) -%}
    case
        when ({{ alpha }}) > 0 and ({{ target }}) > 0 and ({{ target }}) < 1
            then ({{ target }}) * (1.0 - ({{ alpha }})) / (({{ alpha }}) * (1.0 - ({{ target }})))
    end
{%- endmacro %}
