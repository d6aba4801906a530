{#
    latent_label_index(n_labels) -> the label index (1..K) of an item's latent label from its
    wide posterior probability_1..probability_K (NULL above the project's K_p): the most
    probable label; ties go to the first label in sort order (the lowest index: label indexes
    follow the labels' sort order), as crowd-kit's idxmax over its sorted label columns. The
    one statement of the latent label's tie rule, read by int_latent_posterior (is_latent_label).
#}
{% macro latent_label_index(n_labels) -%}
    case
        {%- for k in range(1, n_labels + 1) %}
            when probability_{{ k }} >= greatest(
                {%- for j in range(1, n_labels + 1) %}
                    probability_{{ j }}{{ ',' if not loop.last }}
                {%- endfor %}
            ) then {{ k }}
        {%- endfor %}
    end
{%- endmacro %}
