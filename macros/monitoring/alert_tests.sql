{#
    normal_cdf(z) -> Phi(z), the standard normal distribution function, from the portable erfc
    macro: Phi(z) = erfc(-z / sqrt(2)) / 2 for z < 0 and 1 - erfc(z / sqrt(2)) / 2 otherwise
    (erfc takes x >= 0 only). NULL when z is NULL.
    Reference: Abramowitz & Stegun (1964), 26.2.29; scipy.stats.norm.cdf.
#}
{% macro normal_cdf(z) -%}
    (case
        when ({{ z }}) < 0 then 0.5 * {{ erfc('(-(' ~ z ~ ') / sqrt(2.0))') }}
        when ({{ z }}) >= 0 then 1.0 - 0.5 * {{ erfc('((' ~ z ~ ') / sqrt(2.0))') }}
    end)
{%- endmacro %}

{#
    agreement_drop_z(alpha_now, se_now, alpha_base, se_base) -> the z statistic of the drop in
    Krippendorff's alpha, z = (alpha_now - alpha_base) / sqrt(se_now^2 + se_base^2), with the
    delete-one-item jackknife standard errors of the two (independent: an item belongs to one
    week) estimates. The one-sided (lower) p-value is normal_cdf(z). NULL when either standard
    error is NULL or both are 0.
    Reference: Efron & Tibshirani (1993) ch. 11 (jackknife SE); a Wald test on a difference of
    independent estimates; Hayes & Krippendorff (2007).
#}
{% macro agreement_drop_z(alpha_now, se_now, alpha_base, se_base) -%}
    {{ safe_divide(
        '(' ~ alpha_now ~ ') - (' ~ alpha_base ~ ')',
        'sqrt((' ~ se_now ~ ') * (' ~ se_now ~ ') + (' ~ se_base ~ ') * (' ~ se_base ~ '))'
    ) }}
{%- endmacro %}

{#
    jackknife_se_from_interval(estimate, ci_low, z=1.959963984540054) -> the jackknife standard
    error behind a jackknife_interval: se = (estimate - ci_low) / z. The lower end is never
    capped, so this recovers se exactly from the intervals the agreement marts already carry.
#}
{% macro jackknife_se_from_interval(estimate, ci_low, z=1.959963984540054) -%}
    (({{ estimate }}) - ({{ ci_low }})) / {{ z }}
{%- endmacro %}

{#
    two_proportion_z(x1, n1, x2, n2) -> the pooled two-proportion z statistic
        z = (p1 - p2) / sqrt(p (1 - p) (1/n1 + 1/n2)),  p1 = x1/n1, p2 = x2/n2,
        p = (x1 + x2) / (n1 + n2);
    NULL when n1 or n2 is 0 or p is 0 or 1. The one-sided (lower: p1 < p2) p-value is
    normal_cdf(z), the upper one (p1 > p2) normal_cdf(-z). Identical to
    statsmodels.stats.proportion.proportions_ztest([x1, x2], [n1, n2], alternative='smaller'
    or 'larger').
    Reference: Fleiss, Levin & Paik (2003), Statistical Methods for Rates and Proportions, 2.5.
#}
{% macro two_proportion_z(x1, n1, x2, n2) -%}
    {%- set p1 = safe_divide(x1, n1) -%}
    {%- set p2 = safe_divide(x2, n2) -%}
    {%- set p = safe_divide('(' ~ x1 ~ ') + (' ~ x2 ~ ')', '(' ~ n1 ~ ') + (' ~ n2 ~ ')') -%}
    {{ safe_divide(
        p1 ~ ' - ' ~ p2,
        'sqrt(' ~ p ~ ' * (1.0 - ' ~ p ~ ') * (' ~ safe_divide('1.0', n1) ~ ' + ' ~ safe_divide('1.0', n2) ~ '))'
    ) }}
{%- endmacro %}

{#
    bh_q_values(relation, partition_by, p_col, order_key) -> a select of every row of relation
    plus q_value, the Benjamini-Hochberg adjusted p-value within its partition:
        rank the m rows with a p-value by p (ascending, ties broken by order_key), then
        q_(r) = min(1, min_{k >= r} p_(k) * m / k)
    (two window passes: the raw p * m / rank, then the running minimum from the largest p
    down). Tied p-values get the same q. Rows with a NULL p-value get a NULL q and are not
    counted in m. Identical to statsmodels.stats.multitest.multipletests(p, method='fdr_bh')[1].
    Reference: Benjamini & Hochberg (1995), JRSS B 57:289-300.
#}
{% macro bh_q_values(relation, partition_by, p_col, order_key) -%}
    select
        ranked.*,
        least(1.0, min(ranked.bh_raw) over (
            partition by {{ partition_by }}
            order by ranked.bh_rank desc
            rows between unbounded preceding and current row
        )) as q_value
    from (
        select
            tested.*,
            row_number() over (partition by {{ partition_by }} order by {{ p_col }}, {{ order_key }}) as bh_rank,
            {{ p_col }} * count(*) over (partition by {{ partition_by }})
            / row_number() over (partition by {{ partition_by }} order by {{ p_col }}, {{ order_key }}) as bh_raw
        from {{ relation }} as tested
        where {{ p_col }} is not null
    ) as ranked
    union all
    select
        untested.*,
        cast(null as bigint) as bh_rank,
        cast(null as double) as bh_raw,
        cast(null as double) as q_value
    from {{ relation }} as untested
    where {{ p_col }} is null
{%- endmacro %}

{#
    alert_key(kind, project_id, slice, metric) -> a deterministic key of one alert condition:
    the md5 of kind|project_id|slice|metric (NULLs as ''), so the same condition has the same
    key in every build (dbt's cross-database hash).
#}
{% macro alert_key(kind, project_id, slice, metric) -%}
    {{ dbt.hash("concat(coalesce(" ~ kind ~ ", ''), '|', coalesce(" ~ project_id ~ ", ''), '|', coalesce("
        ~ slice ~ ", ''), '|', coalesce(" ~ metric ~ ", ''))") }}
{%- endmacro %}

{#
    two_proportion_z_is_valid(x1, n1, x2, n2, min_expected) -> true when the normal approximation
    of two_proportion_z is usable: under the pooled proportion p = (x1 + x2) / (n1 + n2) the
    smaller sample expects at least min_expected successes and failures, n1 p >= min_expected and
    n1 (1 - p) >= min_expected (the usual rule of thumb; with fewer the one-sided lower tail is
    anti-conservative). Integer arithmetic only.
    Reference: Agresti (2013), Categorical Data Analysis, 3rd ed., sec. 1.4 / 3.1.
#}
{% macro two_proportion_z_is_valid(x1, n1, x2, n2, min_expected) -%}
    (({{ x1 }}) + ({{ x2 }})) * least({{ n1 }}, {{ n2 }}) >= {{ min_expected }} * (({{ n1 }}) + ({{ n2 }}))
    and (({{ n1 }}) + ({{ n2 }}) - ({{ x1 }}) - ({{ x2 }})) * least({{ n1 }}, {{ n2 }})
    >= {{ min_expected }} * (({{ n1 }}) + ({{ n2 }}))
{%- endmacro %}

{#
    cmh_deviation(x1, n1, x2, n2) and cmh_variance(x1, n1, x2, n2) -> one stratum's terms of the
    Cochran-Mantel-Haenszel test of two proportions across strata: with N = n1 + n2 and
    m = x1 + x2 (the stratum's 2 x 2 table: x1 of n1 in the first group, x2 of n2 in the other),
        deviation = x1 - n1 m / N,    variance = n1 n2 m (N - m) / (N^2 (N - 1)),
    and z = sum_k deviation_k / sqrt(sum_k variance_k) (one-sided lower p = normal_cdf(z)); a
    stratum with one group empty adds 0 to both. Used where a rate depends on a stratum whose mix
    differs between the two groups (agreement with the consensus of 1 other judge vs 4), so each
    group is compared with the other only within a stratum. z^2 equals statsmodels'
    StratifiedTable(tables).test_null_odds(correction=False).statistic.
    Reference: Mantel & Haenszel (1959); Agresti (2013), Categorical Data Analysis, 3rd ed., 6.4.2.
#}
{% macro cmh_deviation(x1, n1, x2, n2) -%}
    (({{ x1 }}) - {{ safe_divide('(' ~ n1 ~ ') * ((' ~ x1 ~ ') + (' ~ x2 ~ '))', '(' ~ n1 ~ ') + (' ~ n2 ~ ')') }})
{%- endmacro %}

{% macro cmh_variance(x1, n1, x2, n2) -%}
    {%- set big_n = '((' ~ n1 ~ ') + (' ~ n2 ~ '))' -%}
    {%- set m = '((' ~ x1 ~ ') + (' ~ x2 ~ '))' -%}
    coalesce({{ safe_divide(
        'cast(' ~ n1 ~ ' as double) * (' ~ n2 ~ ') * ' ~ m ~ ' * (' ~ big_n ~ ' - ' ~ m ~ ')',
        'cast(' ~ big_n ~ ' as double) * ' ~ big_n ~ ' * (' ~ big_n ~ ' - 1)'
    ) }}, 0.0)
{%- endmacro %}

{#
    cmh_z(deviation_sum, variance_sum) -> the Cochran-Mantel-Haenszel z from the strata's summed
    terms: z = sum_k cmh_deviation_k / sqrt(sum_k cmh_variance_k); NULL when the summed variance
    is 0 (no stratum holds both groups with both outcomes). Reference: see cmh_deviation.
#}
{% macro cmh_z(deviation_sum, variance_sum) -%}
    {{ safe_divide(deviation_sum, 'sqrt(' ~ variance_sum ~ ')') }}
{%- endmacro %}
