{#
    erfc(x) -> the complementary error function for x >= 0, to double precision, with W. J.
    Cody's rational Chebyshev approximations (the CALERF algorithm behind most libm erfc's):

        0 <= x <= 0.46875:  erfc = 1 - x * A(x^2) / B(x^2)
        0.46875 < x <= 4:   erfc = exp(-x^2) * C(x) / D(x)
        x > 4:              erfc = exp(-x^2) / x * (1/sqrt(pi) - R(1/x^2) / x^2 ... ) (P/Q form)
        x >= 26.6:          erfc = 0 (below the smallest double)

    exp(-x^2) is split as exp(-s^2) * exp(-(x - s)(x + s)) with s = floor(16x) / 16 to keep the
    relative error near machine precision. Portable SQL arithmetic only (no engine erfc).
    Reference: Cody (1969), Math. Comp. 23:631-637; Cody (1993) ACM TOMS 19:22-32 (CALERF).
#}
{% macro erfc(x) -%}
    {%- set a = [3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02,
        3.20937758913846947e03, 1.85777706184603153e-1] -%}
    {%- set b = [2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03,
        2.84423683343917062e03] -%}
    {%- set c = [5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01,
        2.98635138197400131e02, 8.81952221241769090e02, 1.71204761263407058e03,
        2.05107837782607147e03, 1.23033935479799725e03, 2.15311535474403846e-8] -%}
    {%- set d = [1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02,
        1.62138957456669019e03, 3.29079923573345963e03, 4.36261909014324716e03,
        3.43936767414372164e03, 1.23033935480374942e03] -%}
    {%- set p = [3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1,
        1.60837851487422766e-2, 6.58749161529837803e-4, 1.63153871373020978e-2] -%}
    {%- set q = [2.56852019228982242e00, 1.87295284992346047e00, 5.27905102951428412e-1,
        6.05183413124413191e-2, 2.33520497626869185e-3] -%}
    {%- set xx = '(cast(' ~ x ~ ' as double))' -%}
    {%- set z = '(' ~ xx ~ ' * ' ~ xx ~ ')' -%}
    {#- first interval: numerator and denominator in Horner form over z = x^2 -#}
    {%- set num1 = namespace(s='cast(' ~ a[4] ~ ' as double) * ' ~ z) -%}
    {%- set den1 = namespace(s=z) -%}
    {%- for i in range(3) -%}
        {%- set num1.s = '(' ~ num1.s ~ ' + cast(' ~ a[i] ~ ' as double)) * ' ~ z -%}
        {%- set den1.s = '(' ~ den1.s ~ ' + cast(' ~ b[i] ~ ' as double)) * ' ~ z -%}
    {%- endfor -%}
    {#- second interval: over y = x -#}
    {%- set num2 = namespace(s='cast(' ~ c[8] ~ ' as double) * ' ~ xx) -%}
    {%- set den2 = namespace(s=xx) -%}
    {%- for i in range(7) -%}
        {%- set num2.s = '(' ~ num2.s ~ ' + cast(' ~ c[i] ~ ' as double)) * ' ~ xx -%}
        {%- set den2.s = '(' ~ den2.s ~ ' + cast(' ~ d[i] ~ ' as double)) * ' ~ xx -%}
    {%- endfor -%}
    {#- third interval: over w = 1 / x^2 -#}
    {%- set w = '(1 / ' ~ z ~ ')' -%}
    {%- set num3 = namespace(s='cast(' ~ p[5] ~ ' as double) * ' ~ w) -%}
    {%- set den3 = namespace(s=w) -%}
    {%- for i in range(4) -%}
        {%- set num3.s = '(' ~ num3.s ~ ' + cast(' ~ p[i] ~ ' as double)) * ' ~ w -%}
        {%- set den3.s = '(' ~ den3.s ~ ' + cast(' ~ q[i] ~ ' as double)) * ' ~ w -%}
    {%- endfor -%}
    {#- floor = trunc for x >= 0, and portable (Spark's trunc() is for dates) -#}
    {%- set s = '(floor(' ~ xx ~ ' * 16) / 16)' -%}
    {%- set split_exp = 'exp(-' ~ s ~ ' * ' ~ s ~ ') * exp(-(' ~ xx ~ ' - ' ~ s ~ ') * (' ~ xx ~ ' + ' ~ s ~ '))' -%}
    (
        case
            when {{ xx }} is null or {{ xx }} < 0 then null
            when {{ xx }} <= 0.46875
                then 1 - {{ xx }} * ({{ num1.s }} + cast({{ a[3] }} as double))
                / ({{ den1.s }} + cast({{ b[3] }} as double))
            when {{ xx }} <= 4
                then {{ split_exp }} * ({{ num2.s }} + cast({{ c[7] }} as double))
                / ({{ den2.s }} + cast({{ d[7] }} as double))
            when {{ xx }} < 26.6
                then {{ split_exp }} * (
                    cast(0.5641895835477562869 as double)
                    - {{ w }} * ({{ num3.s }} + cast({{ p[4] }} as double)) / ({{ den3.s }} + cast({{ q[4] }} as double))
                ) / {{ xx }}
            else 0
        end
    )
{%- endmacro %}
