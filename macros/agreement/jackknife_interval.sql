{#
    jackknife_interval(estimate, sum_deviation, sum_sq_deviation, n_replicates, bound,
        z=1.959963984540054) -> the lower or upper end (bound = 'lower' | 'upper') of the
    delete-one-item jackknife normal interval estimate +/- z * se, where
        se^2 = (N - 1) / N * sum_u (theta_(u) - theta_(.))^2
             = (N - 1) / N * (sum_u d_u^2 - (sum_u d_u)^2 / N),  d_u = theta_(u) - estimate
    (deviations from the full-sample estimate are small, so the sums lose no precision).
    theta_(u) is the statistic with item u left out, computed in closed form from the
    per-item sufficient statistics (one pass, no resampling). The upper end is capped at 1,
    the largest value any of these coefficients can take. NULL when the estimate is NULL,
    N < 2, or some leave-one-out statistic is undefined (n_replicates is then NULL).
    z defaults to the two-sided 95% normal quantile.
    Reference: Efron & Tibshirani (1993), An Introduction to the Bootstrap, ch. 11;
    Hayes & Krippendorff (2007) discuss resampling intervals for alpha.
#}
{% macro jackknife_interval(estimate, sum_deviation, sum_sq_deviation, n_replicates, bound,
    z=1.959963984540054) -%}
    {%- set se = jackknife_se(sum_deviation, sum_sq_deviation, n_replicates) -%}
    {%- if bound == 'lower' -%}
        case
            when ({{ estimate }}) is not null and ({{ n_replicates }}) >= 2
                then ({{ estimate }}) - {{ z }} * {{ se }}
        end
    {%- elif bound == 'upper' -%}
        case
            when ({{ estimate }}) is not null and ({{ n_replicates }}) >= 2
                then least(1.0, ({{ estimate }}) + {{ z }} * {{ se }})
        end
    {%- else -%}
        {{ exceptions.raise_compiler_error("jackknife_interval: bound must be 'lower' or 'upper', got " ~ bound) }}
    {%- endif -%}
{%- endmacro %}


{#
    jackknife_sums(statistics, weight) -> the per-group sums jackknife_interval needs, as
    aggregate select items (inside a GROUP BY over one row per leave-one-out replicate class):
    for each name s in statistics, reading the column s_deviation = theta_(u) - estimate,
        n_<s>_replicates   = sum(weight), kept only when every s_deviation is defined
        sum_<s>_deviation  = sum(weight * d), sum_sq_<s>_deviation = sum(weight * d^2).
    weight is the number of units sharing the row's replicate (1, or a pattern's unit count).

    jackknife_bounds(estimate, jackknife_relation, statistic, column_prefix) -> the two select
    items <column_prefix>_ci_low and <column_prefix>_ci_high: jackknife_interval over the sums
    jackknife_sums wrote for statistic into jackknife_relation.
#}
{% macro jackknife_sums(statistics, weight) -%}
    {%- for stat in statistics %}
        case
            when count(*) = count({{ stat }}_deviation) then cast(sum({{ weight }}) as bigint)
        end as n_{{ stat }}_replicates,
        sum({{ weight }} * {{ stat }}_deviation) as sum_{{ stat }}_deviation,
        sum({{ weight }} * {{ stat }}_deviation * {{ stat }}_deviation) as sum_sq_{{ stat }}_deviation
        {{- ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{% macro jackknife_bounds(estimate, jackknife_relation, statistic, column_prefix) -%}
    {%- for bound, suffix in [('lower', 'ci_low'), ('upper', 'ci_high')] %}
        {{ jackknife_interval(
            estimate,
            jackknife_relation ~ '.sum_' ~ statistic ~ '_deviation',
            jackknife_relation ~ '.sum_sq_' ~ statistic ~ '_deviation',
            jackknife_relation ~ '.n_' ~ statistic ~ '_replicates',
            bound) }} as {{ column_prefix }}_{{ suffix }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}


{#
    jackknife_se(sum_deviation, sum_sq_deviation, n_replicates) -> the delete-one jackknife
    standard error sqrt((N - 1) / N * (sum_u d_u^2 - (sum_u d_u)^2 / N)), d_u = theta_(u) - estimate
    (the se of jackknife_interval; also the se of a z test on a difference of two independent
    estimates, sqrt(se_1^2 + se_2^2)). Undefined (a division by zero) when N = 0: callers test N.
    Reference: Efron & Tibshirani (1993), ch. 11.
#}
{% macro jackknife_se(sum_deviation, sum_sq_deviation, n_replicates) -%}
    sqrt(greatest(0.0,
        cast(({{ n_replicates }}) - 1 as double) / ({{ n_replicates }})
        * (({{ sum_sq_deviation }}) - ({{ sum_deviation }}) * ({{ sum_deviation }}) / ({{ n_replicates }}))
    ))
{%- endmacro %}
