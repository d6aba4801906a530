{#
    wilson_interval(successes, n, bound, z=1.959963984540054) -> the lower or upper end
    (bound = 'lower' | 'upper') of the Wilson score interval for a proportion successes / n.

        p = successes / n
        centre = (p + z^2 / (2n)) / (1 + z^2 / n)
        half_width = z * sqrt(p (1 - p) / n + z^2 / (4 n^2)) / (1 + z^2 / n)
        interval = [centre - half_width, centre + half_width], clipped to [0, 1]

    z defaults to the two-sided 95% normal quantile norm.isf(0.025). NULL when n = 0.
    Reference: Wilson (1927); statsmodels proportion_confint(method='wilson').
#}
{% macro wilson_interval(successes, n, bound, z=1.959963984540054) -%}
    {%- set p = safe_divide(successes, n) -%}
    {%- set nn = 'cast(' ~ n ~ ' as double)' -%}
    {%- set z2 = 'cast(' ~ (z * z) ~ ' as double)' -%}
    {%- set centre = '((' ~ p ~ ' + ' ~ z2 ~ ' / (2 * ' ~ nn ~ ')) / (1 + ' ~ z2 ~ ' / ' ~ nn ~ '))' -%}
    {%- set half = '(cast(' ~ z ~ ' as double) * sqrt(' ~ p ~ ' * (1 - ' ~ p ~ ') / ' ~ nn
        ~ ' + ' ~ z2 ~ ' / (4 * ' ~ nn ~ ' * ' ~ nn ~ ')) / (1 + ' ~ z2 ~ ' / ' ~ nn ~ '))' -%}
    {%- if bound == 'lower' -%}
        case when {{ n }} > 0 then greatest(0.0, least(1.0, {{ centre }} - {{ half }})) end
    {%- elif bound == 'upper' -%}
        case when {{ n }} > 0 then greatest(0.0, least(1.0, {{ centre }} + {{ half }})) end
    {%- else -%}
        {{ exceptions.raise_compiler_error("wilson_interval: bound must be 'lower' or 'upper', got " ~ bound) }}
    {%- endif -%}
{%- endmacro %}
