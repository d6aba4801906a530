{#
    latent_label_order() -> the order-by terms that rank an item's labels by its Dawid-Skene
    posterior: the most probable first; ties go to the first label in sort order, as crowd-kit's
    idxmax over its sorted label columns. The one statement of the latent label's tie rule,
    read by fct_item_latent_posterior (is_latent_label) and int_item_latent_label.
#}
{% macro latent_label_order() -%}
    probability desc, label asc
{%- endmacro %}
