{#
    log_factorial(n) -> ln(n!) as a double for an integer n >= 0.

    duckdb__: lgamma(n + 1). default__ (engines without lgamma, e.g. Spark SQL): the exact value
    ln(n!) from the integer factorial for n <= 20, else Stirling's series
        ln n! = n ln n - n + ln(2 pi n) / 2 + 1/(12n) - 1/(360n^3) + 1/(1260n^5) - 1/(1680n^7)
    whose truncation error below 1/(1188 n^9) is under 2e-15 for n > 20.
    Reference: Abramowitz & Stegun 6.1.41.
#}
{% macro log_factorial(n) %}
    {{ return(adapter.dispatch('log_factorial', 'labelhouse')(n)) }}
{% endmacro %}

{% macro duckdb__log_factorial(n) -%}
    lgamma(cast({{ n }} as double) + 1)
{%- endmacro %}

{% macro default__log_factorial(n) -%}
    {%- set nn = '(cast(' ~ n ~ ' as double))' -%}
    {%- set factorial = namespace(value=1) -%}
    (
        case
            {%- for k in range(21) %}
            {%- if k > 0 %}{% set factorial.value = factorial.value * k %}{% endif %}
            when {{ n }} = {{ k }} then ln(cast({{ factorial.value }} as double))
            {%- endfor %}
            else {{ nn }} * ln({{ nn }}) - {{ nn }} + 0.5 * ln(2 * pi() * {{ nn }})
                + 1 / (12 * {{ nn }}) - 1 / (360 * power({{ nn }}, 3))
                + 1 / (1260 * power({{ nn }}, 5)) - 1 / (1680 * power({{ nn }}, 7))
        end
    )
{%- endmacro %}
