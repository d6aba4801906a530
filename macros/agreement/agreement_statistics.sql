{#
    agreement_statistics(counts_relation, group_cols, prefix='agreement', unit_col='item_id',
        category_col='label', count_col='n_votes', weight_col=none)

    Returns a chain of CTE definitions (to paste inside a model's `with`, after the CTE or
    relation named counts_relation) ending in `<prefix>_statistics`: one row per group with
        n_units (units with m_u >= 2), n_units_rated (m_u >= 1), n_values (judgements on units
        with m_u >= 2), n_values_all, n_categories, percent_agreement, fleiss_kappa,
        fleiss_kappa_ci_low/high, krippendorff_alpha, krippendorff_alpha_ci_low/high, gwet_ac1.

    counts_relation holds the sufficient statistics: one row per group x unit x category with
    count_col = n_uc > 0 (rows with 0 are ignored). weight_col, when given, is a multiplicity:
    the row stands for that many identical units (the binarised label task folds every item
    without the label into one unit per m_u this way); it must be constant within a unit.

    Every figure is an aggregate of per-unit sums, so the whole thing is three scans of the
    counts: per unit (m_u, sum_c n_uc^2), per category (n_c, sum_u n_uc / m_u), and the
    jackknife's per-unit cross term sum_c n_c n_uc. The 95% intervals for kappa and alpha are
    delete-one-unit jackknife intervals (see jackknife_interval): leaving unit u out changes
    n, sum_c n_c^2, P-bar and the disagreement sum by known per-unit amounts, so every
    leave-one-out statistic has a closed form and no resampling is needed. Portable SQL only.
#}
{% macro agreement_statistics(counts_relation, group_cols, prefix='agreement', unit_col='item_id',
    category_col='label', count_col='n_votes', weight_col=none) -%}
{%- set g = group_cols | join(', ') -%}
{%- set weight = weight_col if weight_col else '1' -%}

{{ prefix }}_rows as (
    select
        {{ g }},
        {{ unit_col }} as unit_id,
        cast({{ weight }} as bigint) as unit_weight,
        {{ category_col }} as category,
        cast({{ count_col }} as bigint) as n_uc,
        cast(sum({{ count_col }}) over (partition by {{ g }}, {{ unit_col }}) as bigint) as m_u,
    from {{ counts_relation }}
    where {{ count_col }} > 0
),

{{ prefix }}_units as (
    select
        {{ g }},
        unit_id,
        max(unit_weight) as unit_weight,
        max(m_u) as m_u,
        cast(sum(n_uc * n_uc) as bigint) as sum_sq_counts,
    from {{ prefix }}_rows
    group by {{ g }}, unit_id
),

{{ prefix }}_categories as (
    select
        {{ g }},
        category,
        -- n_c counts pairable judgements only (items with m_u >= 2): kappa and alpha
        cast(sum(case when m_u >= 2 then unit_weight * n_uc else 0 end) as bigint) as n_c,
        -- AC1's propensities average n_uc / m_u over every rated item, as irrCAC does
        sum(unit_weight * cast(n_uc as double) / m_u) as propensity_sum,
    from {{ prefix }}_rows
    group by {{ g }}, category
),

{{ prefix }}_unit_totals as (
    select
        {{ g }},
        cast(sum(unit_weight) as bigint) as n_units_rated,
        cast(sum(case when m_u >= 2 then unit_weight else 0 end) as bigint) as n_units,
        cast(sum(case when m_u >= 2 then unit_weight * m_u else 0 end) as bigint) as n_values,
        cast(sum(unit_weight * m_u) as bigint) as n_values_all,
        sum(unit_weight * {{ item_pairwise_agreement('m_u', 'sum_sq_counts') }}) as sum_unit_agreement,
        sum(unit_weight * {{ item_coincidence_disagreement('m_u', 'sum_sq_counts') }}) as sum_unit_disagreement,
    from {{ prefix }}_units
    group by {{ g }}
),

{{ prefix }}_category_totals as (
    select
        {{ g }},
        count(*) as n_categories,
        cast(sum(n_c * n_c) as bigint) as sum_sq_category_totals,
        sum(propensity_sum * propensity_sum) as sum_sq_propensity_sums,
    from {{ prefix }}_categories
    group by {{ g }}
),

{{ prefix }}_point as (
    select
        {{ agreement_qualified('unit_totals', group_cols) }}
        unit_totals.n_units,
        unit_totals.n_units_rated,
        unit_totals.n_values,
        unit_totals.n_values_all,
        unit_totals.sum_unit_agreement,
        unit_totals.sum_unit_disagreement,
        category_totals.n_categories,
        category_totals.sum_sq_category_totals,
        {{ percent_agreement('unit_totals.sum_unit_agreement', 'unit_totals.n_units') }} as percent_agreement,
        {{ fleiss_kappa(
            percent_agreement('unit_totals.sum_unit_agreement', 'unit_totals.n_units'),
            'unit_totals.n_values',
            'category_totals.sum_sq_category_totals') }} as fleiss_kappa,
        {{ krippendorff_alpha_nominal(
            'unit_totals.n_values',
            'unit_totals.sum_unit_disagreement',
            'category_totals.sum_sq_category_totals') }} as krippendorff_alpha,
        {{ gwet_ac1(
            percent_agreement('unit_totals.sum_unit_agreement', 'unit_totals.n_units'),
            'category_totals.n_categories',
            '(1.0 - category_totals.sum_sq_propensity_sums'
                ~ ' / (cast(unit_totals.n_units_rated as double) * unit_totals.n_units_rated))') }} as gwet_ac1,
    from {{ prefix }}_unit_totals as unit_totals
    inner join {{ prefix }}_category_totals as category_totals
        on {{ agreement_join_on('unit_totals', 'category_totals', group_cols) }}
),

{{ prefix }}_unit_cross_terms as (
    -- sum_c n_c n_uc per pairable unit: how much of sum_c n_c^2 goes when the unit leaves
    select
        {{ agreement_qualified('unit_rows', group_cols) }}
        unit_rows.unit_id,
        cast(sum(unit_rows.n_uc * categories.n_c) as bigint) as sum_cross,
    from {{ prefix }}_rows as unit_rows
    inner join {{ prefix }}_categories as categories
        on {{ agreement_join_on('unit_rows', 'categories', group_cols) }}
        and unit_rows.category = categories.category
    where unit_rows.m_u >= 2
    group by {{ agreement_qualified('unit_rows', group_cols) }} unit_rows.unit_id
),

{{ prefix }}_leave_one_out as (
    -- the statistics with one unit left out, minus the full-sample statistics
    select
        {{ agreement_qualified('units', group_cols) }}
        units.unit_weight,
        {{ fleiss_kappa(
            percent_agreement(
                '(point.sum_unit_agreement - ' ~ item_pairwise_agreement('units.m_u', 'units.sum_sq_counts') ~ ')',
                '(point.n_units - 1)'),
            '(point.n_values - units.m_u)',
            '(point.sum_sq_category_totals - 2 * cross_terms.sum_cross + units.sum_sq_counts)'
        ) }} - point.fleiss_kappa as kappa_deviation,
        {{ krippendorff_alpha_nominal(
            '(point.n_values - units.m_u)',
            '(point.sum_unit_disagreement - '
                ~ item_coincidence_disagreement('units.m_u', 'units.sum_sq_counts') ~ ')',
            '(point.sum_sq_category_totals - 2 * cross_terms.sum_cross + units.sum_sq_counts)'
        ) }} - point.krippendorff_alpha as alpha_deviation,
    from {{ prefix }}_units as units
    inner join {{ prefix }}_unit_cross_terms as cross_terms
        on {{ agreement_join_on('units', 'cross_terms', group_cols) }}
        and units.unit_id = cross_terms.unit_id
    inner join {{ prefix }}_point as point
        on {{ agreement_join_on('units', 'point', group_cols) }}
    where units.m_u >= 2 and point.n_units >= 2
),

{{ prefix }}_jackknife as (
    select
        {{ g }},
        -- the replicate count is kept only when every leave-one-out statistic is defined
        case
            when count(*) = count(kappa_deviation) then cast(sum(unit_weight) as bigint)
        end as n_kappa_replicates,
        sum(unit_weight * kappa_deviation) as sum_kappa_deviation,
        sum(unit_weight * kappa_deviation * kappa_deviation) as sum_sq_kappa_deviation,
        case
            when count(*) = count(alpha_deviation) then cast(sum(unit_weight) as bigint)
        end as n_alpha_replicates,
        sum(unit_weight * alpha_deviation) as sum_alpha_deviation,
        sum(unit_weight * alpha_deviation * alpha_deviation) as sum_sq_alpha_deviation,
    from {{ prefix }}_leave_one_out
    group by {{ g }}
),

{{ prefix }}_statistics as (
    select
        {{ agreement_qualified('point', group_cols) }}
        point.n_units,
        point.n_units_rated,
        point.n_values,
        point.n_values_all,
        point.n_categories,
        point.percent_agreement,
        point.fleiss_kappa,
        {{ jackknife_interval('point.fleiss_kappa', 'jackknife.sum_kappa_deviation',
            'jackknife.sum_sq_kappa_deviation', 'jackknife.n_kappa_replicates', 'lower') }} as fleiss_kappa_ci_low,
        {{ jackknife_interval('point.fleiss_kappa', 'jackknife.sum_kappa_deviation',
            'jackknife.sum_sq_kappa_deviation', 'jackknife.n_kappa_replicates', 'upper') }} as fleiss_kappa_ci_high,
        point.krippendorff_alpha,
        {{ jackknife_interval('point.krippendorff_alpha', 'jackknife.sum_alpha_deviation',
            'jackknife.sum_sq_alpha_deviation', 'jackknife.n_alpha_replicates', 'lower') }}
            as krippendorff_alpha_ci_low,
        {{ jackknife_interval('point.krippendorff_alpha', 'jackknife.sum_alpha_deviation',
            'jackknife.sum_sq_alpha_deviation', 'jackknife.n_alpha_replicates', 'upper') }}
            as krippendorff_alpha_ci_high,
        point.gwet_ac1,
    from {{ prefix }}_point as point
    left join {{ prefix }}_jackknife as jackknife
        on {{ agreement_join_on('point', 'jackknife', group_cols) }}
)
{%- endmacro %}


{# Helpers: "l.g1 = r.g1 and l.g2 = r.g2" and "rel.g1, rel.g2, " for the grouping columns. #}
{% macro agreement_join_on(left, right, group_cols) -%}
    {%- for col in group_cols -%}
        {{ left }}.{{ col }} = {{ right }}.{{ col }}{{ ' and ' if not loop.last }}
    {%- endfor -%}
{%- endmacro %}

{% macro agreement_qualified(rel, group_cols) -%}
    {%- for col in group_cols -%}{{ rel }}.{{ col }}, {% endfor -%}
{%- endmacro %}
