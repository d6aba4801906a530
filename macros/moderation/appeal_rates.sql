{#
    appeal_rates(n_decisions, n_appealed, n_overturned) -> two columns of a select list:
    appeal_rate = appealed / decisions (the share of production decisions the user appealed) and
    overturn_rate = overturned / appealed (the share of appeals that reversed the decision),
    both NULL when undefined (no decision, no appeal). Over pooled counts these are ratios of the
    sums, never averages of finer rates. The one home of both moderation rates: the appeals mart
    and the reporting marts call it over their own groupings.
#}
{% macro appeal_rates(n_decisions='n_decisions', n_appealed='n_appealed', n_overturned='n_overturned') -%}
    {{ safe_divide(n_appealed, n_decisions) }} as appeal_rate,
    {{ safe_divide(n_overturned, n_appealed) }} as overturn_rate
{%- endmacro %}
