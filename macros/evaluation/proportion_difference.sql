{#
    newcombe_interval(x1, n1, x2, n2, bound) -> the lower or upper end (bound = 'lower' |
    'upper') of Newcombe's hybrid score interval for the difference p1 - p2 of two independent
    proportions p1 = x1 / n1, p2 = x2 / n2, built from each one's 95% Wilson interval
    [l1, u1], [l2, u2] (macro wilson_interval):

        lower = (p1 - p2) - sqrt((p1 - l1)^2 + (u2 - p2)^2)
        upper = (p1 - p2) + sqrt((u1 - p1)^2 + (p2 - l2)^2)

    Defined at 0 / n and n / n (the Wilson ends stay inside [0, 1]); NULL when n1 or n2 is 0.
    Reference: Newcombe (1998), Statistics in Medicine 17:873-890, method 10; statsmodels
    confint_proportions_2indep(x1, n1, x2, n2, method='newcomb', compare='diff').
#}
{% macro newcombe_interval(x1, n1, x2, n2, bound) -%}
    {%- set p1 = safe_divide(x1, n1) -%}
    {%- set p2 = safe_divide(x2, n2) -%}
    {%- if bound == 'lower' -%}
        ({{ p1 }} - {{ p2 }} - sqrt(
            power({{ p1 }} - {{ wilson_interval(x1, n1, 'lower') }}, 2)
            + power({{ wilson_interval(x2, n2, 'upper') }} - {{ p2 }}, 2)
        ))
    {%- elif bound == 'upper' -%}
        ({{ p1 }} - {{ p2 }} + sqrt(
            power({{ wilson_interval(x1, n1, 'upper') }} - {{ p1 }}, 2)
            + power({{ p2 }} - {{ wilson_interval(x2, n2, 'lower') }}, 2)
        ))
    {%- else -%}
        {{ exceptions.raise_compiler_error("newcombe_interval: bound must be 'lower' or 'upper', got " ~ bound) }}
    {%- endif -%}
{%- endmacro %}


{#
    two_proportion_p_value(x1, n1, x2, n2) -> the two-sided p-value of the pooled two-proportion
    z test of p1 = p2:

        p = (x1 + x2) / (n1 + n2)
        z = (x1 / n1 - x2 / n2) / sqrt(p (1 - p) (1 / n1 + 1 / n2))
        p_value = P(|Z| >= |z|) = erfc(|z| / sqrt(2))

    NULL when n1 or n2 is 0 or p is 0 or 1 (no variance: both all right or all wrong).
    Reference: Agresti (2013), Categorical Data Analysis, 3.1; statsmodels
    proportions_ztest([x1, x2], [n1, n2]) (its default pooled variance).
#}
{% macro two_proportion_p_value(x1, n1, x2, n2) -%}
    {%- set pooled = safe_divide('(' ~ x1 ~ ') + (' ~ x2 ~ ')', '(' ~ n1 ~ ') + (' ~ n2 ~ ')') -%}
    {%- set se = 'sqrt(' ~ pooled ~ ' * (1 - ' ~ pooled ~ ') * (' ~ safe_divide('1', n1) ~ ' + '
        ~ safe_divide('1', n2) ~ '))' -%}
    {{ z_test_p_value(safe_divide(x1, n1) ~ ' - ' ~ safe_divide(x2, n2), se) }}
{%- endmacro %}


{#
    z_test_p_value(difference, se) -> the two-sided normal p-value P(|Z| >= |difference / se|)
    = erfc(|difference| / (se sqrt(2))) (macro erfc); NULL when se is 0 or NULL. Used for the
    difference of two independent estimates with standard errors se_1, se_2 (se = sqrt(se_1^2 +
    se_2^2)), e.g. two jackknifed alphas. Reference: any z test (Wald 1943).
#}
{% macro z_test_p_value(difference, se) -%}
    case
        when ({{ se }}) > 0
            then {{ erfc('abs(' ~ difference ~ ') / ((' ~ se ~ ') * sqrt(2.0))') }}
    end
{%- endmacro %}
