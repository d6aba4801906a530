{#
    agreement_by_group(patterns_relation, severity_scale_relation, group_cols, prefix='agreement')

    Returns a chain of CTE definitions (to paste inside a model's `with`) ending in
    `<prefix>_by_group`: one row per group of group_cols and per group with language = 'all'
    (every language of the project), with every multi-rater agreement figure of the agreement
    marts. group_cols starts with project_id and language; any further column (week) must be
    a column of patterns_relation.

    patterns_relation is int_agreement_count_patterns (one row per project, language, week,
    count pattern and label: n_items, n_votes, n_judgements); items sharing a count pattern are
    one weighted unit (weight n_items) of agreement_statistics and metric_alpha_statistics, so
    no step here reads items. The language and 'all' grains come from one GROUPING SETS pass
    over the patterns. severity_scale_relation is int_project_severity_scale: the ordinal and
    interval alphas read the severities of projects whose scale is complete only, so they are
    NULL (no row) for the others.

    Columns: group_cols, n_units (items with m_u >= 2), n_units_rated, n_values, n_values_all,
    n_categories, the figures of agreement_figure_columns, raters_per_item (macro
    raters_per_item: mean m_u over pairable items) and raters_needed_for_target
    (raters_needed_for_reliability).
#}
{% macro agreement_by_group(patterns_relation, severity_scale_relation, group_cols, prefix='agreement') -%}
{%- set extra_cols = group_cols[2:] -%}
{%- set pattern_cols = extra_cols + ['count_pattern', 'label'] -%}

{{ prefix }}_pattern_grains as (
    -- one pass, two grains: per language, and every language of the project together
    select
        project_id,
        language,
        grouping(language) as is_all_languages,
        {{ pattern_cols | join(', ') }},
        cast(sum(n_items) as bigint) as n_items,
        max(n_votes) as n_votes,
        max(n_judgements) as n_judgements
    from {{ patterns_relation }}
    group by grouping sets (
        (project_id, language, {{ pattern_cols | join(', ') }}),
        (project_id, {{ pattern_cols | join(', ') }})
    )
),

{{ prefix }}_pattern_counts as (
    select
        grains.project_id,
        case when grains.is_all_languages = 1 then 'all' else grains.language end as language,
        {{ agreement_qualified('grains', extra_cols) }}
        grains.count_pattern,
        grains.label,
        grains.n_items,
        grains.n_votes,
        grains.n_judgements,
        case when scale.has_complete_severity_scale then scale.severity end as severity
    from {{ prefix }}_pattern_grains as grains
    left join {{ severity_scale_relation }} as scale
        on grains.project_id = scale.project_id and grains.label = scale.label
),

{{ agreement_statistics(
    prefix ~ '_pattern_counts', group_cols, prefix=prefix, unit_col='count_pattern',
    weight_col='n_items', total_col='n_judgements'
) }},

{{ metric_alpha_statistics(
    prefix ~ '_pattern_counts', group_cols, prefix=prefix ~ '_metric', unit_col='count_pattern',
    weight_col='n_items'
) }},

{{ prefix }}_by_group as (
    select
        {{ agreement_qualified('statistics', group_cols) }}
        statistics.n_units,
        statistics.n_units_rated,
        statistics.n_values,
        statistics.n_values_all,
        statistics.n_categories,
        statistics.percent_agreement,
        statistics.fleiss_kappa,
        statistics.fleiss_kappa_ci_low,
        statistics.fleiss_kappa_ci_high,
        statistics.krippendorff_alpha,
        statistics.krippendorff_alpha_ci_low,
        statistics.krippendorff_alpha_ci_high,
        statistics.gwet_ac1,
        {%- for level in metric_alpha_level_names() %}
            {%- for suffix in ['', '_ci_low', '_ci_high'] %}
                metric.krippendorff_alpha_{{ level }}{{ suffix }},
            {%- endfor %}
        {%- endfor %}
        {{ raters_per_item('statistics.n_values', 'statistics.n_units') }} as raters_per_item,
        {{ raters_needed_for_reliability('statistics.krippendorff_alpha', var('target_reliability')) }}
            as raters_needed_for_target
    from {{ prefix }}_statistics as statistics
    left join {{ prefix }}_metric_statistics as metric
        on {{ agreement_join_on('statistics', 'metric', group_cols) }}
)
{%- endmacro %}


{#
    agreement_figure_columns(rel) -> the select items of the agreement figures both agreement
    marts publish, from an agreement_by_group relation: percent agreement, Fleiss' kappa and
    Krippendorff's nominal alpha with their intervals, Gwet's AC1, and the ordinal and
    interval alphas with their intervals.
#}
{% macro agreement_figure_columns(rel) -%}
    {%- set columns = ['percent_agreement', 'fleiss_kappa', 'fleiss_kappa_ci_low', 'fleiss_kappa_ci_high',
        'krippendorff_alpha', 'krippendorff_alpha_ci_low', 'krippendorff_alpha_ci_high', 'gwet_ac1'] -%}
    {%- for level in metric_alpha_level_names() -%}
        {%- for suffix in ['', '_ci_low', '_ci_high'] -%}
            {%- do columns.append('krippendorff_alpha_' ~ level ~ suffix) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- for col in columns %}
        {{ rel }}.{{ col }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}


{#
    raters_per_item(n_values, n_units) -> the mean number of judgements per pairable item,
        m_bar = n / N = sum_u m_u / N   over the N items with m_u >= 2 judgements,
    with n = n_values, Krippendorff's count of pairable values (every judgement of an item
    with m_u >= 2), and N = n_units. The number of ratings an item gets now, to read beside
    the Spearman-Brown prophecy raters_needed_for_reliability. NULL when N = 0 (no pairable
    item). Reference: Krippendorff (2011), Computing Krippendorff's alpha-reliability, where
    n_u = m_u and n = sum_u m_u over pairable units.
#}
{% macro raters_per_item(n_values, n_units) -%}
    {{ safe_divide(n_values, n_units) }}
{%- endmacro %}
