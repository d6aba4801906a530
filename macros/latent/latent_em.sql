{#
    latent_em_results(model, judgements, category_counts, max_iterations, tolerance) -> the
    relation holding the Dawid-Skene posterior of every project after its EM (columns
    project_id, item_id, label, probability, n_iterations), computed by issuing one small set of
    statements per iteration (run_query) on scratch tables beside `model`: E-step, expected
    counts, M-step, priors, ELBO, then the per-project stop test. A project stops after
    iteration i when ELBO^i - ELBO^(i-1) < tolerance (never after the first, whose predecessor
    is -inf) or when i = max_iterations; its posterior is then appended to the results and its
    judgements join no further iteration. The formulas are the macros of dawid_skene.sql.
    Runs only when dbt executes the model (run/build); otherwise (parse, compile, docs, lint)
    it returns the model's own relation as a placeholder and issues nothing. Scratch tables of the previous iteration are dropped as it
    goes; the results table by latent_em_drop_results (the model's post-hook).
#}
{% macro latent_em_results(model, judgements, category_counts, max_iterations, tolerance) %}
    {%- if not (execute and flags.WHICH in ['run', 'build']) %}
        {{- return(model) }}
    {%- endif %}
    {%- set results = latent_em_scratch(model, 'results') %}
    {%- set progress_0 = latent_em_scratch(model, 'progress_0') %}
    {%- set posterior_0 = latent_em_scratch(model, 'posterior_0') %}
    {%- set confusion_0 = latent_em_scratch(model, 'confusion_0') %}
    {%- set priors_0 = latent_em_scratch(model, 'priors_0') %}
    {%- set n_judgements = latent_em_scratch(model, 'n_judgements') %}
    {#- the four columns the EM reads, written once: every iteration scans this narrow copy twice -#}
    {%- set judgement_copy = latent_em_scratch(model, 'judgements') %}
    {%- do latent_em_create(judgement_copy, 'select project_id, item_id, annotator_id, label from ' ~ judgements) %}
    {%- set judgements = judgement_copy %}

    {%- do latent_em_create(n_judgements,
        'select project_id, cast(sum(n_votes) as double) as n_judgements from ' ~ category_counts
        ~ ' group by project_id') %}
    {%- do latent_em_create(posterior_0, latent_majority_posterior(category_counts)) %}
    {%- do latent_em_create(priors_0, latent_priors(posterior_0)) %}
    {%- do latent_em_create(confusion_0,
        latent_confusion('(' ~ latent_expected_counts(judgements, posterior_0) ~ ')')) %}
    {#- progress: one row per project; elbo NULL stands for -inf before the first iteration -#}
    {%- do latent_em_create(progress_0,
        'select project_id, 0 as n_iterations, cast(null as double) as elbo, true as is_active from '
        ~ n_judgements) %}
    {%- do latent_em_create(results,
        'select project_id, item_id, label, probability, 0 as n_iterations from ' ~ posterior_0 ~ ' where 1 = 0') %}

    {%- set state = namespace(posterior=posterior_0, confusion=confusion_0, priors=priors_0,
        progress=progress_0, n_active=1) %}
    {%- for i in range(1, max_iterations + 1) %}
        {%- if state.n_active > 0 %}
            {%- set posterior = latent_em_scratch(model, 'posterior_' ~ i) %}
            {%- set confusion = latent_em_scratch(model, 'confusion_' ~ i) %}
            {%- set priors = latent_em_scratch(model, 'priors_' ~ i) %}
            {%- set progress = latent_em_scratch(model, 'progress_' ~ i) %}
            {%- set active_confusion = '(select * from ' ~ state.confusion
                ~ ' where project_id in (select project_id from ' ~ state.progress ~ ' where is_active))' %}
            {%- do latent_em_create(posterior, latent_e_step(judgements, state.priors, active_confusion)) %}
            {%- do latent_em_create(priors, latent_priors(posterior)) %}
            {%- do latent_em_create(confusion,
                latent_confusion('(' ~ latent_expected_counts(judgements, posterior) ~ ')')) %}
            {%- do latent_em_create(progress,
                'select previous.project_id,'
                ~ ' case when previous.is_active then ' ~ i ~ ' else previous.n_iterations end as n_iterations,'
                ~ ' case when previous.is_active then current_step.elbo else previous.elbo end as elbo,'
                ~ ' coalesce(previous.is_active and (previous.elbo is null'
                ~ ' or current_step.elbo - previous.elbo >= ' ~ tolerance ~ '), false) as is_active,'
                ~ ' coalesce(previous.is_active, false) as was_active'
                ~ ' from ' ~ state.progress ~ ' as previous left join ('
                ~ latent_elbo(posterior, confusion, priors, n_judgements)
                ~ ') as current_step on previous.project_id = current_step.project_id') %}
            {#- the projects that stop at this iteration keep its posterior -#}
            {%- do run_query('insert into ' ~ results
                ~ ' select posterior.project_id, posterior.item_id, posterior.label, posterior.probability, ' ~ i
                ~ ' from ' ~ posterior ~ ' as posterior inner join ' ~ progress ~ ' as progress'
                ~ ' on posterior.project_id = progress.project_id'
                ~ ' where progress.was_active and not progress.is_active'
                ~ (' or progress.is_active' if i == max_iterations else '')) %}
            {%- for relation in [state.posterior, state.confusion, state.priors, state.progress] %}
                {%- do run_query('drop table if exists ' ~ relation) %}
            {%- endfor %}
            {%- set state.posterior = posterior %}
            {%- set state.confusion = confusion %}
            {%- set state.priors = priors %}
            {%- set state.progress = progress %}
            {%- set n_active = run_query('select count(*) from ' ~ progress ~ ' where is_active') %}
            {%- set state.n_active = n_active.columns[0].values()[0] %}
        {%- endif %}
    {%- endfor %}
    {%- if max_iterations == 0 %}
        {%- do run_query('insert into ' ~ results ~ ' select project_id, item_id, label, probability, 0 from '
            ~ posterior_0) %}
    {%- endif %}
    {%- set leftovers = [state.posterior, state.confusion, state.priors, state.progress, n_judgements,
        judgement_copy] %}
    {%- for relation in leftovers %}
        {%- do run_query('drop table if exists ' ~ relation) %}
    {%- endfor %}
    {{- return(results) }}
{% endmacro %}


{# The scratch relation `<model>__em_<name>` in the model's schema. #}
{% macro latent_em_scratch(model, name) %}
    {{- return(api.Relation.create(database=model.database, schema=model.schema,
        identifier=model.identifier ~ '__em_' ~ name)) }}
{% endmacro %}


{# Replace a scratch table with the result of a SELECT (portable: drop, then create table as). #}
{% macro latent_em_create(relation, sql) %}
    {%- do run_query('drop table if exists ' ~ relation) %}
    {%- do run_query('create table ' ~ relation ~ ' as ' ~ sql) %}
{% endmacro %}


{# Post-hook of the EM model: drop its results table once the model's table holds them. #}
{% macro latent_em_drop_results(model) %}
    drop table if exists {{ latent_em_scratch(model, 'results') }}
{% endmacro %}
