{#
    latent_em_results(model, judgements, max_iterations, tolerance) -> a namespace with the
    relations the EM leaves for its model to read (results, items, labels, projects) and
    n_labels, the largest number of labels in a project (K). results holds, per judged item,
    the Dawid-Skene posterior of its project after the project's EM in wide form (item_key,
    probability_1..K, n_iterations); items maps item_key to (project_key, item_id), labels
    maps (project_key, label_index) to label, projects maps project_key to project_id.
    The EM first writes its private copy of the latest judgements on integer keys, one row per
    item (item_key, project_key, cell_keys: an array of cell keys, a cell naming (project,
    annotator, observed label); macros of latent_arrays.sql), then issues one batch of
    statements per iteration (latent_em_execute) on scratch tables beside `model`: E-step (one
    pass over the items, carrying cell_keys into the posterior), priors and entropy (one pass
    over the posterior), M-step (the posterior unnested to its cells, grouped by cell), ELBO and
    the per-project stop test. A project stops
    after iteration i when ELBO^i - ELBO^(i-1) < tolerance (never after the first, whose
    predecessor is -inf) or when i = max_iterations; its posterior is then appended to the
    results and its judgements join no further iteration. The formulas are the macros of
    dawid_skene.sql. Scratch tables are temporary on DuckDB (latent_em_create, dispatched).
    Runs only when dbt executes the model (run/build); otherwise (parse, compile, docs, lint)
    it returns the model's own relation for every table and n_labels 1, and issues nothing.
    The scratch tables the model reads are dropped by latent_em_drop_results (its post-hook).
#}
{% macro latent_em_results(model, judgements, max_iterations, tolerance) %}
    {%- set em = namespace(results=model, items=model, labels=model, projects=model, n_labels=1) %}
    {%- if not (execute and flags.WHICH in ['run', 'build']) %}
        {{- return(em) }}
    {%- endif %}
    {%- set cells = latent_em_scratch(model, 'cells') %}
    {%- set keyed = latent_em_scratch(model, 'judgements') %}
    {%- set item_cells = latent_em_scratch(model, 'item_cells') %}
    {%- set em.results = latent_em_scratch(model, 'results') %}
    {%- set em.items = latent_em_scratch(model, 'items') %}
    {%- set em.labels = latent_em_scratch(model, 'labels') %}
    {%- set em.projects = latent_em_scratch(model, 'projects') %}

    {#- integer keys: cells (project, annotator, observed label), the project's label index in label order -#}
    {%- do latent_em_create(cells,
        'select cast(row_number() over (order by project_id, annotator_id, label) as integer) as cell_key,'
        ~ ' cast(dense_rank() over (order by project_id) as integer) as project_key,'
        ~ ' cast(dense_rank() over (order by project_id, annotator_id) as integer) as worker_key,'
        ~ ' cast(dense_rank() over (partition by project_id order by label) as integer) as label_index,'
        ~ ' project_id, annotator_id, label, n_judgements'
        ~ ' from (select project_id, annotator_id, label, count(*) as n_judgements from ' ~ judgements
        ~ ' group by project_id, annotator_id, label) as cell_counts') %}
    {%- do latent_em_create(em.labels,
        'select distinct project_key, label_index, label from ' ~ cells) %}
    {%- do latent_em_create(em.projects,
        'select project_key, min(project_id) as project_id, max(label_index) as n_labels,'
        ~ ' cast(sum(n_judgements) as double) as n_judgements from ' ~ cells ~ ' group by project_key') %}
    {%- do latent_em_create(em.items,
        'select cast(row_number() over (order by items.project_id, items.item_id) as integer) as item_key,'
        ~ ' projects.project_key, items.item_id'
        ~ ' from (select distinct project_id, item_id from ' ~ judgements ~ ') as items'
        ~ ' inner join ' ~ em.projects ~ ' as projects on items.project_id = projects.project_id') %}
    {#- the EM's private copy of the judgements: one row per item, its cell keys as one array
        (first flat on integer keys, then grouped: the group-by reads three integer columns, not
        the text keys of the join) -#}
    {%- do latent_em_create(keyed,
        'select items.item_key, items.project_key, cells.cell_key from ' ~ judgements ~ ' as judgements'
        ~ ' inner join ' ~ em.projects ~ ' as projects on judgements.project_id = projects.project_id'
        ~ ' inner join ' ~ em.items ~ ' as items'
        ~ ' on projects.project_key = items.project_key and judgements.item_id = items.item_id'
        ~ ' inner join ' ~ cells ~ ' as cells on judgements.project_id = cells.project_id'
        ~ ' and judgements.annotator_id = cells.annotator_id and judgements.label = cells.label') %}
    {%- do latent_em_create(item_cells,
        'select item_key, project_key, ' ~ latent_list('cell_key') ~ ' as cell_keys from ' ~ keyed
        ~ ' group by item_key, project_key') %}
    {%- do run_query('drop table if exists ' ~ keyed) %}
    {%- set n_labels_query = run_query('select max(n_labels) from ' ~ em.projects) %}
    {%- set em.n_labels = [n_labels_query.columns[0].values()[0] or 1, 1] | max | int %}
    {%- set n_labels = em.n_labels %}

    {%- set posterior_0 = latent_em_scratch(model, 'posterior_0') %}
    {%- set summary_0 = latent_em_scratch(model, 'summary_0') %}
    {%- set confusion_0 = latent_em_scratch(model, 'confusion_0') %}
    {%- set progress_0 = latent_em_scratch(model, 'progress_0') %}
    {%- do latent_em_create(posterior_0, latent_majority_posterior(item_cells, cells, em.projects, n_labels)) %}
    {%- do latent_em_create(summary_0, latent_posterior_summary(posterior_0, n_labels)) %}
    {%- do latent_em_create(confusion_0, latent_m_step(posterior_0, cells, n_labels)) %}
    {#- progress: one row per project; elbo NULL stands for -inf before the first iteration -#}
    {%- do latent_em_create(progress_0,
        'select project_key, 0 as n_iterations, cast(null as double) as elbo, true as is_active from '
        ~ em.projects) %}
    {%- set probability_columns = [] %}
    {%- for k in range(1, n_labels + 1) %}
        {%- do probability_columns.append('probability_' ~ k) %}
    {%- endfor %}
    {%- set probability_columns = probability_columns | join(', ') %}
    {%- do latent_em_create(em.results,
        'select item_key, ' ~ probability_columns ~ ', 0 as n_iterations from ' ~ posterior_0 ~ ' where 1 = 0') %}

    {%- set state = namespace(posterior=posterior_0, confusion=confusion_0, summary=summary_0,
        progress=progress_0, n_active=1) %}
    {%- for i in range(1, max_iterations + 1) %}
        {%- if state.n_active > 0 %}
            {%- set posterior = latent_em_scratch(model, 'posterior_' ~ i) %}
            {%- set confusion = latent_em_scratch(model, 'confusion_' ~ i) %}
            {%- set summary = latent_em_scratch(model, 'summary_' ~ i) %}
            {%- set progress = latent_em_scratch(model, 'progress_' ~ i) %}
            {%- set active_items = '(select * from ' ~ item_cells
                ~ ' where project_key in (select project_key from ' ~ state.progress ~ ' where is_active))' %}
            {#- one batch of statements per iteration (a single call on DuckDB: macro latent_em_execute) -#}
            {%- set statements = [] %}
            {%- do statements.extend(latent_em_create_statements(posterior,
                latent_e_step(active_items, state.summary, state.confusion, cells, n_labels))) %}
            {%- do statements.append('drop table if exists ' ~ state.posterior) %}
            {%- do statements.extend(latent_em_create_statements(summary,
                latent_posterior_summary(posterior, n_labels))) %}
            {%- do statements.extend(latent_em_create_statements(confusion,
                latent_m_step(posterior, cells, n_labels))) %}
            {%- do statements.extend(latent_em_create_statements(progress,
                'select previous.project_key,'
                ~ ' case when previous.is_active then ' ~ i ~ ' else previous.n_iterations end as n_iterations,'
                ~ ' case when previous.is_active then current_step.elbo else previous.elbo end as elbo,'
                ~ ' coalesce(previous.is_active and (previous.elbo is null'
                ~ ' or current_step.elbo - previous.elbo >= ' ~ tolerance ~ '), false) as is_active,'
                ~ ' coalesce(previous.is_active, false) as was_active'
                ~ ' from ' ~ state.progress ~ ' as previous left join ('
                ~ latent_elbo(confusion, summary, em.projects, n_labels)
                ~ ') as current_step on previous.project_key = current_step.project_key')) %}
            {#- the projects that stop at this iteration keep its posterior -#}
            {%- do statements.append('insert into ' ~ em.results
                ~ ' select posterior.item_key, ' ~ probability_columns ~ ', ' ~ i
                ~ ' from ' ~ posterior ~ ' as posterior inner join ' ~ progress ~ ' as progress'
                ~ ' on posterior.project_key = progress.project_key'
                ~ ' where progress.was_active and not progress.is_active'
                ~ (' or progress.is_active' if i == max_iterations else '')) %}
            {%- for relation in [state.confusion, state.summary, state.progress] %}
                {%- do statements.append('drop table if exists ' ~ relation) %}
            {%- endfor %}
            {%- do statements.append('select count(*) from ' ~ progress ~ ' where is_active') %}
            {%- set n_active = latent_em_execute(statements) %}
            {%- set state.posterior = posterior %}
            {%- set state.confusion = confusion %}
            {%- set state.summary = summary %}
            {%- set state.progress = progress %}
            {%- set state.n_active = n_active.columns[0].values()[0] %}
        {%- endif %}
    {%- endfor %}
    {%- if max_iterations == 0 %}
        {%- do run_query('insert into ' ~ em.results ~ ' select item_key, ' ~ probability_columns ~ ', 0 from '
            ~ posterior_0) %}
    {%- endif %}
    {%- for relation in [state.posterior, state.confusion, state.summary, state.progress, cells, item_cells] %}
        {%- do run_query('drop table if exists ' ~ relation) %}
    {%- endfor %}
    {{- return(em) }}
{% endmacro %}


{#
    The scratch relation `<model>__em_<name>`: on DuckDB a temporary table (in memory, spilling
    to the temp directory; visible to the model's own connection only, which runs the EM's
    statements and the model's), elsewhere a table in the model's schema.
#}
{% macro latent_em_scratch(model, name) %}
    {{- return(adapter.dispatch('latent_em_scratch', 'labelhouse')(model, name)) }}
{% endmacro %}

{% macro default__latent_em_scratch(model, name) %}
    {{- return(api.Relation.create(database=model.database, schema=model.schema,
        identifier=model.identifier ~ '__em_' ~ name)) }}
{% endmacro %}

{% macro duckdb__latent_em_scratch(model, name) %}
    {{- return(api.Relation.create(identifier=model.identifier ~ '__em_' ~ name)) }}
{% endmacro %}


{# Replace a scratch table with the result of a SELECT (drop, then create table as; temporary on DuckDB). #}
{% macro latent_em_create(relation, sql) %}
    {%- do latent_em_execute(latent_em_create_statements(relation, sql)) %}
{% endmacro %}

{# The statements of latent_em_create, for a batch of latent_em_execute. #}
{% macro latent_em_create_statements(relation, sql) %}
    {{- return(adapter.dispatch('latent_em_create_statements', 'labelhouse')(relation, sql)) }}
{% endmacro %}

{% macro default__latent_em_create_statements(relation, sql) %}
    {{- return(['drop table if exists ' ~ relation, 'create table ' ~ relation ~ ' as ' ~ sql]) }}
{% endmacro %}

{% macro duckdb__latent_em_create_statements(relation, sql) %}
    {{- return(['create or replace temporary table ' ~ relation ~ ' as ' ~ sql]) }}
{% endmacro %}


{#
    Run statements in order and return the last one's result (run_query). On DuckDB they go in
    one call (one script; the connection runs them in order and returns the last result): the
    EM's ~10 small statements per iteration otherwise cost more in dbt's per-query overhead than
    in DuckDB on small projects. Elsewhere one call each.
#}
{% macro latent_em_execute(statements) %}
    {{- return(adapter.dispatch('latent_em_execute', 'labelhouse')(statements)) }}
{% endmacro %}

{% macro default__latent_em_execute(statements) %}
    {%- set result = namespace(last=none) %}
    {%- for statement in statements %}
        {%- set result.last = run_query(statement) %}
    {%- endfor %}
    {{- return(result.last) }}
{% endmacro %}

{% macro duckdb__latent_em_execute(statements) %}
    {{- return(run_query(statements | join(';\n'))) }}
{% endmacro %}


{# Post-hook of the EM model, one per scratch table its table was read from (results, items, labels, projects). #}
{% macro latent_em_drop_results(model, name) %}
    drop table if exists {{ latent_em_scratch(model, name) }}
{% endmacro %}
