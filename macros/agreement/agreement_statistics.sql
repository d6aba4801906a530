{#
    agreement_statistics(counts_relation, group_cols, prefix='agreement', unit_col='item_id',
        category_col='label', count_col='n_votes', weight_col=none, total_col=none)

    Returns a chain of CTE definitions (to paste inside a model's `with`, after the CTE or
    relation named counts_relation) ending in `<prefix>_statistics`: one row per group with
        n_units (units with m_u >= 2), n_units_rated (m_u >= 1), n_values (judgements on units
        with m_u >= 2), n_values_all, n_categories, percent_agreement, fleiss_kappa,
        fleiss_kappa_ci_low/high, krippendorff_alpha, krippendorff_alpha_ci_low/high, gwet_ac1.

    counts_relation holds the sufficient statistics: one row per group x unit x category with
    count_col = n_uc > 0 (rows with 0 are ignored). weight_col, when given, is a multiplicity:
    the row stands for that many identical units (the binarised label task folds every item
    without the label into one unit per m_u this way); it must be constant within a unit.
    total_col, when given, is m_u (the unit's total count) already carried on every row: pass it
    whenever the relation has it, since deriving m_u needs a window over the counts, the most
    expensive step at scale.

    Two passes over the counts. (1) Per category: with m_u on every row, each per-unit term is a
    sum over the unit's rows, so n_c, AC1's propensity sums, the unit counts and the sums of
    per-unit agreement and disagreement all come from one group-by on (group, category), whose
    small result is then rolled up per group. (2) Per pairable unit, joined to the category
    totals: m_u, sum_c n_uc^2 and the cross term sum_c n_c n_uc. Leaving unit u out changes n,
    sum_c n_c^2 (by -2 sum_c n_c n_uc + sum_c n_uc^2), P-bar and the disagreement sum by known
    per-unit amounts, so every leave-one-out statistic has a closed form: the 95% intervals for
    kappa and alpha are delete-one-unit jackknife intervals (see jackknife_interval), with no
    resampling. Portable SQL only.
#}
{% macro agreement_statistics(counts_relation, group_cols, prefix='agreement', unit_col='item_id',
    category_col='label', count_col='n_votes', weight_col=none, total_col=none) -%}
{%- set g = group_cols | join(', ') -%}
{%- set weight = weight_col if weight_col else '1' -%}

{{ prefix }}_rows as {{ not_materialized() }}(
    select
        {{ g }},
        {{ unit_col }} as unit_id,
        cast({{ weight }} as bigint) as unit_weight,
        {{ category_col }} as category,
        cast({{ count_col }} as bigint) as n_uc,
        {%- if total_col %}
            cast({{ total_col }} as bigint) as m_u
        {%- else %}
            cast(sum({{ count_col }}) over (partition by {{ g }}, {{ unit_col }}) as bigint) as m_u
        {%- endif %}
    from {{ counts_relation }}
    where {{ count_col }} > 0
),

{{ prefix }}_categories as (
    -- one pass over the counts: with m_u on every row, every per-item term is a sum over the
    -- item's rows (P_u = sum_c n_uc (n_uc - 1) / (m_u (m_u - 1)), D_u = sum_c n_uc (m_u - n_uc)
    -- / (m_u - 1), 1 = sum_c n_uc / m_u), so no per-item aggregation is needed here
    select
        {{ g }},
        category,
        -- n_c counts pairable judgements only (items with m_u >= 2): kappa and alpha
        cast(sum(case when m_u >= 2 then unit_weight * n_uc else 0 end) as bigint) as n_c,
        cast(sum(unit_weight * n_uc) as bigint) as n_c_all,
        -- AC1's propensities average n_uc / m_u over every rated item, as irrCAC does
        sum(unit_weight * cast(n_uc as double) / m_u) as propensity_sum,
        sum(case when m_u >= 2 then unit_weight * cast(n_uc as double) / m_u else 0 end) as pairable_unit_share,
        sum(
            case when m_u >= 2 then unit_weight * cast(n_uc * (n_uc - 1) as double) / (m_u * (m_u - 1)) else 0 end
        ) as unit_agreement_part,
        sum(
            case when m_u >= 2 then unit_weight * cast(n_uc * (m_u - n_uc) as double) / (m_u - 1) else 0 end
        ) as unit_disagreement_part
    from {{ prefix }}_rows
    group by {{ g }}, category
),

{{ prefix }}_group_totals as (
    select
        {{ g }},
        -- the unit counts are sums of n_uc / m_u over each unit's rows: integers up to rounding
        cast(round(sum(propensity_sum)) as bigint) as n_units_rated,
        cast(round(sum(pairable_unit_share)) as bigint) as n_units,
        cast(sum(n_c) as bigint) as n_values,
        cast(sum(n_c_all) as bigint) as n_values_all,
        sum(unit_agreement_part) as sum_unit_agreement,
        sum(unit_disagreement_part) as sum_unit_disagreement,
        count(*) as n_categories,
        cast(sum(n_c * n_c) as bigint) as sum_sq_category_totals,
        sum(propensity_sum * propensity_sum) as sum_sq_propensity_sums
    from {{ prefix }}_categories
    group by {{ g }}
),

{{ prefix }}_point as (
    select
        {{ g }},
        n_units,
        n_units_rated,
        n_values,
        n_values_all,
        sum_unit_agreement,
        sum_unit_disagreement,
        n_categories,
        sum_sq_category_totals,
        {{ percent_agreement('sum_unit_agreement', 'n_units') }} as percent_agreement,
        {{ fleiss_kappa(
            percent_agreement('sum_unit_agreement', 'n_units'), 'n_values', 'sum_sq_category_totals') }}
            as fleiss_kappa,
        {{ krippendorff_alpha_nominal('n_values', 'sum_unit_disagreement', 'sum_sq_category_totals') }}
            as krippendorff_alpha,
        {{ gwet_ac1(
            percent_agreement('sum_unit_agreement', 'n_units'),
            'n_categories',
            '(1.0 - sum_sq_propensity_sums / (cast(n_units_rated as double) * n_units_rated))') }} as gwet_ac1
    from {{ prefix }}_group_totals
),

{{ prefix }}_units as (
    -- the jackknife's per-unit terms, pairable units only: m_u, sum_c n_uc^2, and
    -- sum_c n_c n_uc (how much of sum_c n_c^2 goes when the unit leaves)
    select
        {{ agreement_qualified('unit_rows', group_cols) }}
        unit_rows.unit_id,
        max(unit_rows.unit_weight) as unit_weight,
        max(unit_rows.m_u) as m_u,
        cast(sum(unit_rows.n_uc * unit_rows.n_uc) as bigint) as sum_sq_counts,
        cast(sum(unit_rows.n_uc * categories.n_c) as bigint) as sum_cross
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
            '(point.sum_sq_category_totals - 2 * units.sum_cross + units.sum_sq_counts)'
        ) }} - point.fleiss_kappa as kappa_deviation,
        {{ krippendorff_alpha_nominal(
            '(point.n_values - units.m_u)',
            '(point.sum_unit_disagreement - '
                ~ item_coincidence_disagreement('units.m_u', 'units.sum_sq_counts') ~ ')',
            '(point.sum_sq_category_totals - 2 * units.sum_cross + units.sum_sq_counts)'
        ) }} - point.krippendorff_alpha as alpha_deviation
    from {{ prefix }}_units as units
    inner join {{ prefix }}_point as point
        on {{ agreement_join_on('units', 'point', group_cols) }}
    where point.n_units >= 2
),

{{ prefix }}_jackknife as (
    select
        {{ g }},
        {{ jackknife_sums(['kappa', 'alpha'], 'unit_weight') }}
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
        {{ jackknife_bounds('point.fleiss_kappa', 'jackknife', 'kappa', 'fleiss_kappa') }},
        point.krippendorff_alpha,
        {{ jackknife_bounds('point.krippendorff_alpha', 'jackknife', 'alpha', 'krippendorff_alpha') }},
        point.gwet_ac1
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
