{#
    is_predicted_positive(score, threshold) -> (score >= threshold): the model predicts "the item
    violates the label" when its score reaches the decision threshold; a score equal to the
    threshold is positive (scikit-learn's y_score >= threshold convention of its curves). The one
    statement of the decision rule and of its tie convention at the threshold.
#}
{% macro is_predicted_positive(score, threshold) -%}
    ({{ score }} >= {{ threshold }})
{%- endmacro %}
