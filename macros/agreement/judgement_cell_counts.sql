{#
    judgement_cell_counts(parts=['gold', 'consensus'], rel='') -> aggregate select items over
    rows of int_annotator_judgement_cells (n_judgements judgements per cell), the one definition
    of the counts behind gold accuracy and agreement with the leave-one-out consensus:
    part 'gold':
        n_gold_annotations = judgements of items with a gold label (gold_label is not null),
        n_gold_correct = of those, the ones equal to the gold label (label = gold_label);
    part 'consensus':
        n_consensus_judgements = judgements whose other annotators reached a strict plurality
            (consensus_outcome in ('agree', 'disagree')),
        n_consensus_agree = of those, the ones agreeing with it (consensus_outcome = 'agree').
    gold accuracy = n_gold_correct / n_gold_annotations; agreement with consensus =
    n_consensus_agree / n_consensus_judgements. Each count is a bigint.
#}
{% macro judgement_cell_counts(parts=['gold', 'consensus'], rel='') -%}
    {%- for part in parts %}
        {%- if part == 'gold' %}
            cast(sum(case when {{ rel }}gold_label is not null then {{ rel }}n_judgements else 0 end) as bigint)
                as n_gold_annotations,
            cast(sum(case when {{ rel }}label = {{ rel }}gold_label then {{ rel }}n_judgements else 0 end) as bigint)
                as n_gold_correct
        {%- elif part == 'consensus' %}
            cast(
                sum(case when {{ rel }}consensus_outcome in ('agree', 'disagree') then {{ rel }}n_judgements else 0 end)
                as bigint
            ) as n_consensus_judgements,
            cast(
                sum(case when {{ rel }}consensus_outcome = 'agree' then {{ rel }}n_judgements else 0 end) as bigint
            ) as n_consensus_agree
        {%- else %}
            {{ exceptions.raise_compiler_error("judgement_cell_counts: parts are 'gold' or 'consensus', got " ~ part) }}
        {%- endif %}
        {%- if not loop.last %},{% endif %}
    {%- endfor %}
{%- endmacro %}
