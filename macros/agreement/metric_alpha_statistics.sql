{#
    metric_alpha_statistics(counts_relation, group_cols, prefix='metric_alpha', unit_col='item_id',
        value_col='severity', count_col='n_votes', total_col='n_judgements', weight_col=none)

    Returns a chain of CTE definitions (to paste inside a model's `with`, after the CTE or
    relation named counts_relation) ending in `<prefix>_statistics`: one row per group with
    pairable values of krippendorff_alpha_ordinal and krippendorff_alpha_interval, each with
    its delete-one-unit jackknife interval (_ci_low, _ci_high; see jackknife_interval).

    counts_relation: one row per group x unit x category with count_col = n_uc, total_col =
    m_u (the unit's total) and value_col the category's numeric value (rows with a NULL value
    are dropped: callers NULL the result for groups where any value is missing). Categories
    sharing a value are pooled. Only pairable units (m_u >= 2) enter. weight_col, when given,
    is a multiplicity (constant within a unit): the row stands for that many identical units,
    as in agreement_statistics (int_agreement_count_patterns' n_items).

    Exact jackknife at small cost. The interval statistic is closed form in the unit's moments,
    but the ordinal difference depends on the marginals, so leaving a unit out changes every
    delta^2. A unit's leave-one-out statistic depends only on its count vector, so pairable
    units are grouped by count pattern (an exact key: count_pattern_key); per
    pattern p (frequency f_p) the statistic without one such unit uses the marginals
    n_c - n_pc, mid-ranks recomputed from them, and the coincidences o_ck - n_pc n_pk /
    (m_p - 1). Everything after the pattern step is patterns x values^2 rows per group, never
    the units. The counts are read twice (unit patterns, pattern cells), not buffered.
    Portable SQL except sorted_string_agg (dispatched, via count_pattern_key).
#}
{% macro metric_alpha_statistics(counts_relation, group_cols, prefix='metric_alpha', unit_col='item_id',
    value_col='severity', count_col='n_votes', total_col='n_judgements', weight_col=none) -%}
{%- set g = group_cols | join(', ') -%}
{%- set weight = weight_col if weight_col else '1' -%}

{{ prefix }}_rows as {{ not_materialized() }}(
    select
        {{ g }},
        {{ unit_col }} as unit_id,
        cast({{ value_col }} as double) as value,
        cast(max({{ weight }}) as bigint) as unit_weight,
        cast(sum({{ count_col }}) as bigint) as n_uc
    from {{ counts_relation }}
    where {{ count_col }} > 0 and {{ total_col }} >= 2 and {{ value_col }} is not null
    group by {{ g }}, {{ unit_col }}, cast({{ value_col }} as double)
),

{{ prefix }}_units as (
    select
        {{ g }},
        unit_id,
        max(unit_weight) as unit_weight,
        cast(sum(n_uc) as bigint) as m_u,
        {{ count_pattern_key('value', 'n_uc') }} as count_pattern
    from {{ prefix }}_rows
    group by {{ g }}, unit_id
),

{{ prefix }}_patterns as (
    select
        {{ g }},
        count_pattern,
        max(m_u) as m_u,
        cast(sum(unit_weight) as bigint) as n_units_with_pattern
    from {{ prefix }}_units
    where m_u >= 2
    group by {{ g }}, count_pattern
),

{{ prefix }}_pattern_cells as (
    -- the pattern's count of each value (equal on every unit of the pattern)
    select
        {{ agreement_qualified('unit_rows', group_cols) }}
        units.count_pattern,
        unit_rows.value,
        max(unit_rows.n_uc) as n_pc
    from {{ prefix }}_rows as unit_rows
    inner join {{ prefix }}_units as units
        on {{ agreement_join_on('unit_rows', 'units', group_cols) }}
        and unit_rows.unit_id = units.unit_id
    where units.m_u >= 2
    group by {{ agreement_qualified('unit_rows', group_cols) }} units.count_pattern, unit_rows.value
),

{{ prefix }}_weighted_cells as (
    select
        {{ agreement_qualified('cells', group_cols) }}
        cells.count_pattern,
        cells.value,
        cells.n_pc,
        patterns.m_u,
        patterns.n_units_with_pattern
    from {{ prefix }}_pattern_cells as cells
    inner join {{ prefix }}_patterns as patterns
        on {{ agreement_join_on('cells', 'patterns', group_cols) }}
        and cells.count_pattern = patterns.count_pattern
),

{{ prefix }}_value_totals as (
    select
        {{ g }},
        value,
        cast(sum(n_units_with_pattern * n_pc) as bigint) as n_c
    from {{ prefix }}_weighted_cells
    group by {{ g }}, value
),

{{ prefix }}_levels as (
    -- n_c, n and the mid-rank of each value over the pooled pairable values
    select
        {{ g }},
        value,
        n_c,
        sum(n_c) over (partition by {{ g }}) as n_values,
        {{ ordinal_midrank(
            'sum(n_c) over (partition by ' ~ g ~ ' order by value rows between unbounded preceding and current row)',
            'n_c') }} as midrank
    from {{ prefix }}_value_totals
),

{{ prefix }}_coincidences as (
    -- o_ck = sum_u n_uc n_uk / (m_u - 1), summed by pattern
    select
        {{ agreement_qualified('cell_c', group_cols) }}
        cell_c.value as value_c,
        cell_k.value as value_k,
        sum(cell_c.n_units_with_pattern * cast(cell_c.n_pc * cell_k.n_pc as double) / (cell_c.m_u - 1))
            as coincidence
    from {{ prefix }}_weighted_cells as cell_c
    inner join {{ prefix }}_weighted_cells as cell_k
        on {{ agreement_join_on('cell_c', 'cell_k', group_cols) }}
        and cell_c.count_pattern = cell_k.count_pattern
    group by {{ agreement_qualified('cell_c', group_cols) }} cell_c.value, cell_k.value
),

{{ prefix }}_point as (
    select
        {{ agreement_qualified('level_c', group_cols) }}
        max(level_c.n_values) as n_values
        {%- for level, score in metric_alpha_levels() %},
            sum(coalesce(coincidences.coincidence, 0.0)
                * {{ metric_difference_sq('level_c.' ~ score, 'level_k.' ~ score) }}) as observed_{{ level }},
            sum(cast(level_c.n_c * level_k.n_c as double)
                * {{ metric_difference_sq('level_c.' ~ score, 'level_k.' ~ score) }}) as expected_{{ level }}
        {%- endfor %}
    from {{ prefix }}_levels as level_c
    inner join {{ prefix }}_levels as level_k
        on {{ agreement_join_on('level_c', 'level_k', group_cols) }}
    left join {{ prefix }}_coincidences as coincidences
        on {{ agreement_join_on('level_c', 'coincidences', group_cols) }}
        and level_c.value = coincidences.value_c
        and level_k.value = coincidences.value_k
    group by {{ metric_alpha_group_by('level_c', group_cols) }}
),

{{ prefix }}_point_alpha as (
    select
        {{ g }},
        n_values
        {%- for level, score in metric_alpha_levels() %},
            {{ krippendorff_alpha_metric('n_values', 'observed_' ~ level, 'expected_' ~ level) }} as alpha_{{ level }}
        {%- endfor %}
    from {{ prefix }}_point
),

{{ prefix }}_pattern_levels as (
    -- every pattern x every value of its group: the marginals and mid-ranks without one unit
    -- of the pattern
    select
        {{ agreement_qualified('patterns', group_cols) }}
        patterns.count_pattern,
        patterns.m_u,
        patterns.n_units_with_pattern,
        levels.value,
        coalesce(cells.n_pc, 0) as n_pc,
        levels.n_c - coalesce(cells.n_pc, 0) as n_c_left,
        {{ ordinal_midrank(
            'sum(levels.n_c - coalesce(cells.n_pc, 0)) over (partition by '
                ~ agreement_qualified('patterns', group_cols) ~ ' patterns.count_pattern order by levels.value'
                ~ ' rows between unbounded preceding and current row)',
            'levels.n_c - coalesce(cells.n_pc, 0)') }} as midrank_left
    from {{ prefix }}_patterns as patterns
    inner join {{ prefix }}_levels as levels
        on {{ agreement_join_on('patterns', 'levels', group_cols) }}
    left join {{ prefix }}_pattern_cells as cells
        on {{ agreement_join_on('patterns', 'cells', group_cols) }}
        and patterns.count_pattern = cells.count_pattern
        and levels.value = cells.value
),

{{ prefix }}_pattern_sums as (
    select
        {{ agreement_qualified('level_c', group_cols) }}
        level_c.count_pattern,
        max(level_c.n_units_with_pattern) as n_units_with_pattern,
        max(level_c.m_u) as m_u
        {%- for level, score in metric_alpha_levels(left_out=true) %},
            sum(
                (coalesce(coincidences.coincidence, 0.0)
                    - cast(level_c.n_pc * level_k.n_pc as double) / (level_c.m_u - 1))
                * {{ metric_difference_sq('level_c.' ~ score, 'level_k.' ~ score) }}
            ) as observed_{{ level }},
            sum(cast(level_c.n_c_left * level_k.n_c_left as double)
                * {{ metric_difference_sq('level_c.' ~ score, 'level_k.' ~ score) }}) as expected_{{ level }}
        {%- endfor %}
    from {{ prefix }}_pattern_levels as level_c
    inner join {{ prefix }}_pattern_levels as level_k
        on {{ agreement_join_on('level_c', 'level_k', group_cols) }}
        and level_c.count_pattern = level_k.count_pattern
    left join {{ prefix }}_coincidences as coincidences
        on {{ agreement_join_on('level_c', 'coincidences', group_cols) }}
        and level_c.value = coincidences.value_c
        and level_k.value = coincidences.value_k
    group by {{ agreement_qualified('level_c', group_cols) }} level_c.count_pattern
),

{{ prefix }}_leave_one_out as (
    -- the statistics with one unit of the pattern left out, minus the full-sample statistics
    select
        {{ agreement_qualified('sums', group_cols) }}
        sums.n_units_with_pattern
        {%- for level, score in metric_alpha_levels() %},
            {{ krippendorff_alpha_metric(
                '(point.n_values - sums.m_u)', 'sums.observed_' ~ level, 'sums.expected_' ~ level) }}
                - point.alpha_{{ level }} as {{ level }}_deviation
        {%- endfor %}
    from {{ prefix }}_pattern_sums as sums
    inner join {{ prefix }}_point_alpha as point
        on {{ agreement_join_on('sums', 'point', group_cols) }}
),

{{ prefix }}_jackknife as (
    select
        {{ g }},
        {{ jackknife_sums(metric_alpha_level_names(), 'n_units_with_pattern') }}
    from {{ prefix }}_leave_one_out
    group by {{ g }}
),

{{ prefix }}_statistics as (
    select
        {{ agreement_qualified('point', group_cols) }}
        {%- for level in metric_alpha_level_names() %}
            point.alpha_{{ level }} as krippendorff_alpha_{{ level }},
            {{ jackknife_bounds('point.alpha_' ~ level, 'jackknife', level, 'krippendorff_alpha_' ~ level) }}
            {{- ',' if not loop.last }}
        {%- endfor %}
    from {{ prefix }}_point_alpha as point
    left join {{ prefix }}_jackknife as jackknife
        on {{ agreement_join_on('point', 'jackknife', group_cols) }}
)
{%- endmacro %}


{# Helper: "rel.g1, rel.g2" (no trailing comma) for a group by on the grouping columns only. #}
{% macro metric_alpha_group_by(rel, group_cols) -%}
    {%- for col in group_cols -%}{{ rel }}.{{ col }}{{ ', ' if not loop.last }}{%- endfor -%}
{%- endmacro %}


{#
    metric_alpha_levels(left_out=false) -> the (level, score column) pairs of the metric alphas:
    ordinal alpha is the metric alpha on the values' mid-ranks, interval alpha on the values
    themselves (see krippendorff_alpha_metric); left_out=true names the mid-ranks recomputed
    without one unit of a pattern. metric_alpha_level_names() -> the levels alone.
#}
{% macro metric_alpha_levels(left_out=false) -%}
    {{ return([('ordinal', 'midrank_left' if left_out else 'midrank'), ('interval', 'value')]) }}
{%- endmacro %}

{% macro metric_alpha_level_names() -%}
    {{ return(['ordinal', 'interval']) }}
{%- endmacro %}
