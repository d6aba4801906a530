{#
    McNemar's test on paired binary decisions (two classifiers on the same items).
    b = items the first gets right and the second wrong, c = the reverse.

    mcnemar_chi2_statistic(b, c) -> (|b - c| - 1)^2 / (b + c), the chi-square statistic with
    continuity correction; NULL when b + c = 0.
    mcnemar_chi2_p_value(b, c) -> P(chi2_1 >= statistic) = erfc(sqrt(statistic / 2)).
    mcnemar_exact_term(k, n) -> the Binomial(n, 1/2) probability of k,
        exp(ln n! - ln k! - ln (n - k)! - n ln 2).
    mcnemar_exact_p_value(term) -> an aggregate over the rows k = 0..min(b, c) of one pair:
        p = min(1, 2 * sum_k term(k, b + c)), the two-sided exact binomial test; 1 when b + c = 0.
    Reference: McNemar (1947); statsmodels.stats.contingency_tables.mcnemar (exact=True, and
    exact=False with correction=True).
#}
{% macro mcnemar_chi2_statistic(b, c) -%}
    {%- set excess = '(abs(cast(' ~ b ~ ' as double) - ' ~ c ~ ') - 1)' -%}
    {{ safe_divide(excess ~ ' * ' ~ excess, b ~ ' + ' ~ c) }}
{%- endmacro %}

{% macro mcnemar_chi2_p_value(b, c) -%}
    {{ labelhouse.erfc('sqrt(' ~ labelhouse.mcnemar_chi2_statistic(b, c) ~ ' / 2)') }}
{%- endmacro %}

{% macro mcnemar_exact_term(k, n) -%}
    exp(
        {{ labelhouse.log_factorial(n) }} - {{ labelhouse.log_factorial(k) }}
        - {{ labelhouse.log_factorial('(' ~ n ~ ') - (' ~ k ~ ')') }} - cast({{ n }} as double) * ln(2)
    )
{%- endmacro %}

{% macro mcnemar_exact_p_value(term) -%}
    (case when 2 * sum({{ term }}) > 1 then 1.0 else 2 * sum({{ term }}) end)
{%- endmacro %}
