{#
    Dawid & Skene (1979) latent-truth EM, one formula per macro, each returning a SELECT over
    small relations (passed as SQL relation names or parenthesised subqueries). Notation, per
    project: item t, annotator w, label y_tw the annotator gave t (latest judgement), true label
    c; posterior T_tc = P(z_t = c | data); class prior p_c; confusion e_w(y | c) =
    P(w says y | true label c). The iteration (macro latent_em_results, model
    int_latent_posterior) is: T^0 = majority-vote shares, p^0 = mean_t T^0, e^0 = M(T^0); then
    for i = 1..n: T^i = E(p^(i-1), e^(i-1)), p^i = mean_t T^i, e^i = M(T^i), stopping after step
    i when ELBO^i - ELBO^(i-1) < tol. As crowd-kit 1.4.2's DawidSkene (crowdkit.aggregation.
    classification.dawid_skene): counts and priors floored at latent_eps() before logs and
    normalisation; the ELBO's prior term counted once per judgement; cross-checked to 1e-6 in
    tests/python/test_latent_truth.py. SQL with ln, exp, greatest and case; arrays through the
    dispatched macros of latent_arrays.sql (DuckDB, Spark).
    The EM's macros work in wide form on integer keys: a project's labels are numbered
    1..K_p (label_index, in label order), every per-label quantity is one column per index
    1..n_labels (n_labels = the largest K_p; the columns above a project's K_p are NULL), and
    an item's judgements are one array of cell keys (cell_keys), so each E-step is one pass over
    the items (a lookup-and-sum in each row into one array per label of the confusion, indexed
    by cell_key) and each M-step one unnest of the posterior grouped by cell: no join to 10M
    judgements, no group-by into millions of items, no judgements x labels row explosion.
    Items: (item_key, project_key, cell_keys); cell_key, dense 1..n_cells, naming (project,
    annotator, observed label); cells: (cell_key, project_key, worker_key, label_index),
    worker_key naming (project, annotator).
    Reference: A. P. Dawid and A. M. Skene, Maximum likelihood estimation of observer
    error-rates using the EM algorithm, JRSS C 28(1), 1979, 20-28.
#}

{# The floor applied to expected counts, priors and posteriors before a log (crowd-kit's _EPS). #}
{% macro latent_eps() -%}
    1e-10
{%- endmacro %}


{# max(x, eps) that keeps NULL (a label the project does not have) NULL. #}
{% macro latent_floor(x) -%}
    case when {{ x }} < {{ latent_eps() }} then {{ latent_eps() }} else {{ x }} end
{%- endmacro %}


{#
    latent_expected_count(probability) -> the M-step's expected count as an aggregate over the
    posterior rows of the judgements of one cell (annotator w, observed label y): unnested from
    the items' cell keys in the wide M-step, joined to the judgements in the long form;
    n_w(y, c) = sum over items t that w labelled y of T_tc, with `probability` the posterior
    T_tc of true label c. Stated once for the EM's wide M-step (latent_m_step, grouped by
    cell_key, one column per c) and the long form (latent_expected_counts, grouped by cell and
    true label). Reference: Dawid & Skene (1979), eq. 2.3.
#}
{% macro latent_expected_count(probability) -%}
    sum({{ probability }})
{%- endmacro %}


{#
    latent_confusion_probability(expected_count, partition_by) -> the M-step's normalisation,
    e_w(y | c) = max(n_w(y, c), eps) / sum_y' max(n_w(y', c), eps), over the rows of one
    annotator and true label (partition_by): crowd-kit clips the expected counts, then
    normalises each true-label column of the annotator's matrix. Stated once for the EM's wide
    M-step (latent_m_step, one column per true label) and the long form (latent_confusion).
#}
{% macro latent_confusion_probability(expected_count, partition_by) -%}
    {{ latent_floor(expected_count) }} / sum({{ latent_floor(expected_count) }}) over (partition by {{ partition_by }})
{%- endmacro %}


{#
    latent_cell_lists(cells, values) -> one row: for each expression name -> expr in `values`
    (a dict), an array of the expression over the cells (cells joined to whatever `cells`
    names), indexed by cell_key (macro latent_sorted_list; cell keys are dense, 1..n_cells).
#}
{% macro latent_cell_lists(cells, values) -%}
    select
        {%- for name, expr in values.items() %}
            {{ latent_sorted_list(expr, 'cells.cell_key') }} as {{ name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ cells }}
{%- endmacro %}


{#
    latent_majority_posterior(items, cells, projects, n_labels) -> (item_key, project_key,
    cell_keys, probability_1..probability_K): T^0_tc = n_tc / m_t, the share of the item's
    judgements giving label c, for every label of the project (0 where nobody gave it; NULL
    above the project's K_p). items: (item_key, project_key, cell_keys), cell_keys the item's
    judgements as an array of cell keys; n_tc is the sum over them of a 0/1 array per label
    (latent_list_lookup_sum), m_t the sum of those counts. projects: (project_key, n_labels).
#}
{% macro latent_majority_posterior(items, cells, projects, n_labels) -%}
    {%- set indicators = {} %}
    {%- for k in range(1, n_labels + 1) %}
        {%- do indicators.update({'is_label_' ~ k: 'case when cells.label_index = ' ~ k ~ ' then 1.0 else 0.0 end'}) %}
    {%- endfor %}
    select
        votes.item_key,
        votes.project_key,
        votes.cell_keys,
        {%- for k in range(1, n_labels + 1) %}
            case when projects.n_labels >= {{ k }} then votes.n_votes_{{ k }} / (
                {%- for j in range(1, n_labels + 1) %}
                    votes.n_votes_{{ j }}{{ ' +' if not loop.last }}
                {%- endfor %}
            ) end as probability_{{ k }}{{ ',' if not loop.last }}
        {%- endfor %}
    from (
        {#- the lookup next to the one-row cross join, joins outside: on DuckDB a join above the cross
            join copies every array into each row (out of memory at 10M) -#}
        select
            items.item_key,
            items.project_key,
            items.cell_keys,
            {%- for k in range(1, n_labels + 1) %}
                {{ latent_list_lookup_sum('items.cell_keys', 'indicator_lists.is_label_' ~ k) }} as n_votes_{{ k }}
                {{- ',' if not loop.last }}
            {%- endfor %}
        from {{ items }} as items
        cross join ({{ latent_cell_lists(cells ~ ' as cells', indicators) }}) as indicator_lists
    ) as votes
    inner join {{ projects }} as projects
        on votes.project_key = projects.project_key
{%- endmacro %}


{#
    latent_m_step(posterior, cells, n_labels) -> (cell_key, project_key,
    expected_count_1..K, log_probability_1..K): the M-step. Expected counts
    n_w(y, c) = sum over items t that w labelled y of T_tc (one pass over the posterior, each
    item's row unnested to its cells, grouped by cell), then
    e_w(y | c) = max(n_w(y, c), eps) / sum_y' max(n_w(y', c), eps)
    over the labels y' the annotator gave in the project (crowd-kit clips the counts, then
    normalises each true-label column of the annotator's matrix), kept as ln e_w(y | c).
    posterior: (item_key, project_key, cell_keys, probability_1..K). Projects absent from
    posterior yield no rows.
#}
{% macro latent_m_step(posterior, cells, n_labels) -%}
    select
        cells.cell_key,
        cells.project_key,
        {%- for k in range(1, n_labels + 1) %}
            counts.expected_count_{{ k }},
        {%- endfor %}
        {%- for k in range(1, n_labels + 1) %}
            ln({{ latent_confusion_probability('counts.expected_count_' ~ k, 'cells.worker_key') }})
                as log_probability_{{ k }}{{ ',' if not loop.last }}
        {%- endfor %}
    from (
        select
            cell_key,
            {%- for k in range(1, n_labels + 1) %}
                {{ latent_expected_count('probability_' ~ k) }} as expected_count_{{ k }}
                {{- ',' if not loop.last }}
            {%- endfor %}
        from (
            select
                {{ latent_unnest('posterior.cell_keys') }} as cell_key,
                {%- for k in range(1, n_labels + 1) %}
                    posterior.probability_{{ k }}{{ ',' if not loop.last }}
                {%- endfor %}
            from {{ posterior }} as posterior
        ) as judgements
        group by cell_key
    ) as counts
    inner join {{ cells }} as cells
        on counts.cell_key = cells.cell_key
{%- endmacro %}


{#
    latent_posterior_summary(posterior, n_labels) -> (project_key, prior_1..K, entropy): the
    class priors p_c = mean over the project's items of T_tc, and the posterior's entropy
    -sum_{t,c} max(T_tc, eps) ln max(T_tc, eps) (the ELBO's second term). One pass over the
    posterior.
#}
{% macro latent_posterior_summary(posterior, n_labels) -%}
    select
        project_key,
        {%- for k in range(1, n_labels + 1) %}
            avg(probability_{{ k }}) as prior_{{ k }},
        {%- endfor %}
        -sum(
            {%- for k in range(1, n_labels + 1) %}
                coalesce(
                    {{ latent_floor('probability_' ~ k) }} * ln({{ latent_floor('probability_' ~ k) }}), 0.0
                ){{ ' +' if not loop.last }}
            {%- endfor %}
        ) as entropy
    from {{ posterior }}
    group by project_key
{%- endmacro %}


{#
    latent_e_step(items, summary, confusion, cells, n_labels) -> (item_key, project_key,
    cell_keys, probability_1..K): the E-step,
    log L_tc = ln max(p_c, eps) + sum over t's judgements of ln e_w(y_tw | c);
    T_tc = exp(log L_tc - max_c' log L_tc') / sum_c'' exp(log L_tc'' - max_c' log L_tc')
    (the shift by the item's maximum keeps exp in range; crowd-kit uses log2 and exp2, the same
    posterior). One pass over the items (item_key, project_key, cell_keys; the caller passes
    the items of the projects still iterating): the confusion's ln e_w(y | c) as one array per
    true label indexed by cell_key (cells left join confusion), summed over each item's cell
    keys (latent_list_lookup_sum). summary: the priors (latent_posterior_summary).
#}
{% macro latent_e_step(items, summary, confusion, cells, n_labels) -%}
    {%- set log_probabilities = {} %}
    {%- for k in range(1, n_labels + 1) %}
        {%- do log_probabilities.update({'log_probabilities_' ~ k: 'confusion.log_probability_' ~ k}) %}
    {%- endfor %}
    select
        item_key,
        project_key,
        cell_keys,
        {%- for k in range(1, n_labels + 1) %}
            likelihood_{{ k }} / (
                {%- for j in range(1, n_labels + 1) %}
                    coalesce(likelihood_{{ j }}, 0.0){{ ' +' if not loop.last }}
                {%- endfor %}
            ) as probability_{{ k }}{{ ',' if not loop.last }}
        {%- endfor %}
    from (
        select
            item_key,
            project_key,
            cell_keys,
            {%- for k in range(1, n_labels + 1) %}
                exp(log_likelihood_{{ k }} - greatest(
                    {%- for j in range(1, n_labels + 1) %}
                        log_likelihood_{{ j }}{{ ',' if not loop.last }}
                    {%- endfor %}
                )) as likelihood_{{ k }}{{ ',' if not loop.last }}
            {%- endfor %}
        from (
            select
                sums.item_key,
                sums.project_key,
                sums.cell_keys,
                {%- for k in range(1, n_labels + 1) %}
                    sums.sum_log_probability_{{ k }} + ln({{ latent_floor('summary.prior_' ~ k) }})
                        as log_likelihood_{{ k }}{{ ',' if not loop.last }}
                {%- endfor %}
            from (
                {#- the lookup next to the one-row cross join, joins outside (see latent_majority_posterior) -#}
                select
                    items.item_key,
                    items.project_key,
                    items.cell_keys,
                    {%- for k in range(1, n_labels + 1) %}
                        {{ latent_list_lookup_sum('items.cell_keys', 'confusion_lists.log_probabilities_' ~ k) }}
                            as sum_log_probability_{{ k }}{{ ',' if not loop.last }}
                    {%- endfor %}
                from {{ items }} as items
                cross join (
                    {{ latent_cell_lists(cells ~ ' as cells left join ' ~ confusion
                        ~ ' as confusion on cells.cell_key = confusion.cell_key', log_probabilities) }}
                ) as confusion_lists
            ) as sums
            inner join {{ summary }} as summary
                on sums.project_key = summary.project_key
        ) as log_likelihoods
    ) as likelihoods
{%- endmacro %}


{#
    latent_elbo(confusion, summary, projects, n_labels) -> (project_key, elbo): the evidence
    lower bound per judgement that decides the early stop,
    ELBO = (sum_{w,y,c} n_w(y, c) (ln e_w(y | c) + ln max(p_c, eps))
            - sum_{t,c} max(T_tc, eps) ln max(T_tc, eps)) / N,
    N = the project's judgements. The first sum is crowd-kit's expectation over the judgements
    of ln e + ln p (the prior term once per judgement, as crowd-kit counts it), regrouped by
    annotator cell, so it reads only the small tables; the entropy comes from
    latent_posterior_summary. projects: (project_key, n_judgements).
#}
{% macro latent_elbo(confusion, summary, projects, n_labels) -%}
    select
        projects.project_key,
        (expectations.joint_expectation + summary.entropy) / projects.n_judgements as elbo
    from {{ projects }} as projects
    inner join (
        select
            confusion.project_key,
            sum(
                {%- for k in range(1, n_labels + 1) %}
                    coalesce(
                        confusion.expected_count_{{ k }}
                        * (confusion.log_probability_{{ k }} + ln({{ latent_floor('summary.prior_' ~ k) }})),
                        0.0
                    ){{ ' +' if not loop.last }}
                {%- endfor %}
            ) as joint_expectation
        from {{ confusion }} as confusion
        inner join {{ summary }} as summary
            on confusion.project_key = summary.project_key
        group by confusion.project_key
    ) as expectations
        on projects.project_key = expectations.project_key
    inner join {{ summary }} as summary
        on projects.project_key = summary.project_key
{%- endmacro %}


{#
    latent_expected_counts(judgements, posterior) -> (project_id, annotator_id, observed_label,
    true_label, expected_count) and latent_confusion(expected_counts): the same M-step in long
    form on text keys, for the one M-step on the final posterior (int_latent_confusion):
    n_w(y, c) = sum over items t that w labelled y of T_tc;
    e_w(y | c) = max(n_w(y, c), eps) / sum_y' max(n_w(y', c), eps).
#}
{% macro latent_expected_counts(judgements, posterior) -%}
    select
        judgements.project_id,
        judgements.annotator_id,
        judgements.label as observed_label,
        posterior.label as true_label,
        {{ latent_expected_count('posterior.probability') }} as expected_count
    from {{ judgements }} as judgements
    inner join {{ posterior }} as posterior
        on
            judgements.project_id = posterior.project_id
            and judgements.item_id = posterior.item_id
    group by judgements.project_id, judgements.annotator_id, judgements.label, posterior.label
{%- endmacro %}


{% macro latent_confusion(expected_counts) -%}
    select
        project_id,
        annotator_id,
        observed_label,
        true_label,
        expected_count,
        {{ latent_confusion_probability('expected_count', 'project_id, annotator_id, true_label') }} as probability
    from {{ expected_counts }}
{%- endmacro %}


{#
    latent_match_sums(rel='') -> the aggregate select items
    expected_matches = sum over the confusion cells of expected_count where observed_label =
    true_label (the diagonal: expected judgements equal to the latent truth), and
    n_latent_judgements = sum of expected_count (every judgement), over rows of latent_confusion
    (int_latent_confusion). latent accuracy = expected_matches / n_latent_judgements.
#}
{% macro latent_match_sums(rel='') -%}
    sum(
        case when {{ rel }}observed_label = {{ rel }}true_label then {{ rel }}expected_count else 0 end
    ) as expected_matches,
    sum({{ rel }}expected_count) as n_latent_judgements
{%- endmacro %}
