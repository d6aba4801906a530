{#
    The evaluation marts' roll-up of truth sources: each evaluated row is counted under its own
    truth_source and, for the observed truths only, under truth_source 'all'. An item's 'latent'
    truth is a second truth of the same item, so it is never rolled up into 'all' ('all' = gold,
    else consensus). A roll-up CTE gives each row a by_truth_source flag (true: its own source,
    false: the 'all' copy); these two macros are the one statement of the rule it is read by.

    truth_source_rollup(truth_source, by_truth_source) -> the row's truth_source in that copy:
        case when by_truth_source then truth_source else 'all' end.
    in_truth_source_rollup(truth_source, by_truth_source) -> the filter keeping a copy:
        (by_truth_source or truth_source != 'latent').
#}
{% macro truth_source_rollup(truth_source, by_truth_source) -%}
    case when {{ by_truth_source }} then {{ truth_source }} else 'all' end
{%- endmacro %}

{% macro in_truth_source_rollup(truth_source, by_truth_source) -%}
    ({{ by_truth_source }} or {{ truth_source }} != 'latent')
{%- endmacro %}
