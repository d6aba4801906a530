{#
    Dawid & Skene (1979) latent-truth EM, one formula per macro, each returning a SELECT over
    small relations (passed as SQL relation names or parenthesised subqueries). Notation, per
    project: item t, annotator w, label y_tw the annotator gave t (latest judgement), true label
    c; posterior T_tc = P(z_t = c | data); class prior p_c; confusion e_w(y | c) =
    P(w says y | true label c). The iteration (models/intermediate/quality/int_latent_posterior)
    is: T^0 = majority-vote shares, p^0 = mean_t T^0, e^0 = M(T^0); then for i = 1..n:
    T^i = E(p^(i-1), e^(i-1)), p^i = mean_t T^i, e^i = M(T^i), stopping after step i when
    ELBO^i - ELBO^(i-1) < tol. As crowd-kit 1.4.2's DawidSkene (crowdkit.aggregation.
    classification.dawid_skene): counts and priors floored at latent_eps() before logs and
    normalisation; the ELBO's prior term counted once per judgement; cross-checked to 1e-6 in
    tests/python/test_latent_truth.py. Portable SQL (ln, exp, greatest, window sums).
    Reference: A. P. Dawid and A. M. Skene, Maximum likelihood estimation of observer
    error-rates using the EM algorithm, JRSS C 28(1), 1979, 20-28.
#}

{# The floor applied to expected counts, priors and posteriors before a log (crowd-kit's _EPS). #}
{% macro latent_eps() -%}
    1e-10
{%- endmacro %}


{#
    latent_majority_posterior(category_counts) -> (project_id, item_id, label, probability):
    T^0_tc = n_tc / m_t, the share of the item's judgements giving label c, for every label c
    used in the project (0 for a label nobody gave the item). category_counts has the columns of
    int_item_category_counts (n_votes = n_tc, n_judgements = m_t).
#}
{% macro latent_majority_posterior(category_counts) -%}
    select
        items.project_id,
        items.item_id,
        project_labels.label,
        coalesce(cast(counts.n_votes as double), 0.0) / items.n_judgements as probability
    from (
        select distinct
            project_id,
            item_id,
            n_judgements
        from {{ category_counts }}
    ) as items
    inner join (
        select distinct
            project_id,
            label
        from {{ category_counts }}
    ) as project_labels
        on items.project_id = project_labels.project_id
    left join {{ category_counts }} as counts
        on
            items.project_id = counts.project_id
            and items.item_id = counts.item_id
            and project_labels.label = counts.label
{%- endmacro %}


{#
    latent_expected_counts(judgements, posterior) -> (project_id, annotator_id, observed_label,
    true_label, expected_count): the M-step's sufficient statistic
    n_w(y, c) = sum over items t that w labelled y of T_tc (the expected number of w's
    judgements saying y on items whose true label is c). One pass over the judgements.
    judgements: (project_id, item_id, annotator_id, label); posterior: (project_id, item_id,
    label, probability).
#}
{% macro latent_expected_counts(judgements, posterior) -%}
    select
        judgements.project_id,
        judgements.annotator_id,
        judgements.label as observed_label,
        posterior.label as true_label,
        sum(posterior.probability) as expected_count
    from {{ judgements }} as judgements
    inner join {{ posterior }} as posterior
        on
            judgements.project_id = posterior.project_id
            and judgements.item_id = posterior.item_id
    group by judgements.project_id, judgements.annotator_id, judgements.label, posterior.label
{%- endmacro %}


{#
    latent_confusion(expected_counts) -> (project_id, annotator_id, observed_label, true_label,
    expected_count, probability): the M-step,
    e_w(y | c) = max(n_w(y, c), eps) / sum_y' max(n_w(y', c), eps),
    over the labels y' the annotator gave in the project (crowd-kit clips the counts, then
    normalises each true-label column of the annotator's matrix).
#}
{% macro latent_confusion(expected_counts) -%}
    select
        project_id,
        annotator_id,
        observed_label,
        true_label,
        expected_count,
        greatest(expected_count, {{ latent_eps() }})
        / sum(greatest(expected_count, {{ latent_eps() }})) over (
            partition by project_id, annotator_id, true_label
        ) as probability
    from {{ expected_counts }}
{%- endmacro %}


{#
    latent_priors(posterior) -> (project_id, label, prior): p_c = mean over the project's items
    of T_tc (every item has a row per project label).
#}
{% macro latent_priors(posterior) -%}
    select
        project_id,
        label,
        avg(probability) as prior
    from {{ posterior }}
    group by project_id, label
{%- endmacro %}


{#
    latent_e_step(judgements, priors, confusion) -> (project_id, item_id, label, probability):
    log L_tc = ln max(p_c, eps) + sum over t's judgements of ln e_w(y_tw | c);
    T_tc = exp(log L_tc - max_c' log L_tc') / sum_c'' exp(log L_tc'' - max_c' log L_tc')
    (the shift by the row maximum keeps exp in range; crowd-kit uses log2 and exp2, the same
    posterior). Projects absent from confusion (already converged) yield no rows. One pass over
    the judgements.
#}
{% macro latent_e_step(judgements, priors, confusion) -%}
    select
        project_id,
        item_id,
        label,
        exp(log_likelihood - max_log_likelihood)
        / sum(exp(log_likelihood - max_log_likelihood)) over (partition by project_id, item_id) as probability
    from (
        select
            summed.project_id,
            summed.item_id,
            summed.label,
            summed.log_likelihood,
            max(summed.log_likelihood) over (partition by summed.project_id, summed.item_id) as max_log_likelihood
        from (
            select
                judged.project_id,
                judged.item_id,
                judged.label,
                judged.sum_log_confusion + ln(greatest(priors.prior, {{ latent_eps() }})) as log_likelihood
            from (
                select
                    judgements.project_id,
                    judgements.item_id,
                    confusion.true_label as label,
                    sum(ln(confusion.probability)) as sum_log_confusion
                from {{ judgements }} as judgements
                inner join {{ confusion }} as confusion
                    on
                        judgements.project_id = confusion.project_id
                        and judgements.annotator_id = confusion.annotator_id
                        and judgements.label = confusion.observed_label
                group by judgements.project_id, judgements.item_id, confusion.true_label
            ) as judged
            inner join {{ priors }} as priors
                on
                    judged.project_id = priors.project_id
                    and judged.label = priors.label
        ) as summed
    ) as scaled
{%- endmacro %}


{#
    latent_elbo(posterior, confusion, priors, n_judgements) -> (project_id, elbo): the evidence
    lower bound per judgement that decides the early stop,
    ELBO = (sum_{w,y,c} n_w(y, c) (ln e_w(y | c) + ln max(p_c, eps))
            - sum_{t,c} max(T_tc, eps) ln max(T_tc, eps)) / N,
    N = the project's judgements. The first sum is crowd-kit's expectation over the judgements
    of ln e + ln p (the prior term once per judgement, as crowd-kit counts it), regrouped by
    annotator cell, so it reads only the small tables. confusion carries expected_count
    (latent_confusion); n_judgements: (project_id, n_judgements).
#}
{% macro latent_elbo(posterior, confusion, priors, n_judgements) -%}
    select
        totals.project_id,
        (expectations.joint_expectation + entropies.entropy) / totals.n_judgements as elbo
    from {{ n_judgements }} as totals
    inner join (
        select
            confusion.project_id,
            sum(
                confusion.expected_count
                * (ln(confusion.probability) + ln(greatest(priors.prior, {{ latent_eps() }})))
            ) as joint_expectation
        from {{ confusion }} as confusion
        inner join {{ priors }} as priors
            on
                confusion.project_id = priors.project_id
                and confusion.true_label = priors.label
        group by confusion.project_id
    ) as expectations
        on totals.project_id = expectations.project_id
    inner join (
        select
            project_id,
            -sum(
                greatest(probability, {{ latent_eps() }}) * ln(greatest(probability, {{ latent_eps() }}))
            ) as entropy
        from {{ posterior }}
        group by project_id
    ) as entropies
        on totals.project_id = entropies.project_id
{%- endmacro %}
