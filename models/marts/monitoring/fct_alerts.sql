-- One row per open alert: a tested (or rule-based) condition that holds on the data's latest
-- day. "Today" is the newest activity day in the warehouse (never the wall clock), so a rebuild
-- of the same data gives the same alerts; alert_key is the same for the same condition on
-- every build. Reads marts and small cells only (fct_agreement_weekly, the annotator cells,
-- fct_model_version_comparison, fct_project_daily), the per-file raw counts (raw_file_rejects) and the newest
-- export timestamps. Tested kinds are BH-adjusted within kind.
{%- set fdr = var('alert_fdr_level') %}
{%- set critical_q = var('alert_critical_q_value') %}
{%- set baseline_weeks = var('alert_baseline_weeks') | int %}
with

agreement_weekly as (
    select * from {{ ref('fct_agreement_weekly') }}
),

judgement_cells as (
    select * from {{ ref('int_annotator_judgement_cells') }}
),

version_comparison as (
    select * from {{ ref('fct_model_version_comparison') }}
),

project_daily as (
    select * from {{ ref('fct_project_daily') }}
),

raw_file_rejects as (
    select * from {{ ref('raw_file_rejects') }}
),

annotations as (
    select * from {{ ref('stg_raw__annotations') }}
),

predictions as (
    select * from {{ ref('stg_raw__predictions') }}
),

moderation_decisions as (
    select * from {{ ref('stg_raw__moderation_decisions') }}
),

as_of as (
    select
        max(activity_date) as as_of_day,
        -- the Monday of the latest week that ends on or before as_of_day
        {{ add_days('cast(' ~ dbt.date_trunc('week', add_days('max(activity_date)', 1)) ~ ' as date)', -7) }}
            as latest_week
    from project_daily
),

-- agreement drop: the latest complete week's alpha against the previous weeks' (inverse-variance
-- pooled) alpha, each with its jackknife standard error
agreement_with_se as (
    select
        agreement_weekly.project_id,
        agreement_weekly.language,
        agreement_weekly.week,
        agreement_weekly.krippendorff_alpha,
        {{ jackknife_se_from_interval('agreement_weekly.krippendorff_alpha',
            'agreement_weekly.krippendorff_alpha_ci_low') }} as alpha_se,
        as_of.latest_week
    from agreement_weekly
    cross join as_of
    where
        agreement_weekly.week <= as_of.latest_week
        and agreement_weekly.week
        >= {{ add_days('as_of.latest_week', -7 * baseline_weeks) }}
        and agreement_weekly.krippendorff_alpha_ci_low is not null
),

agreement_baseline as (
    select
        project_id,
        language,
        count(*) as n_baseline_weeks,
        {{ safe_divide('sum(krippendorff_alpha / (alpha_se * alpha_se))', 'sum(1.0 / (alpha_se * alpha_se))') }}
            as baseline_alpha,
        sqrt({{ safe_divide('1.0', 'sum(1.0 / (alpha_se * alpha_se))') }}) as baseline_se
    from agreement_with_se
    where week < latest_week and alpha_se > 0
    group by project_id, language
),

agreement_tests as (
    select
        'agreement_drop' as kind,
        latest.project_id,
        case when latest.language = 'all' then 'all languages' else concat('language=', latest.language) end
            as slice,
        'krippendorff_alpha' as metric,
        latest.krippendorff_alpha as observed,
        agreement_baseline.baseline_alpha as baseline,
        'jackknife z (one-sided)' as test,
        {{ agreement_drop_z('latest.krippendorff_alpha', 'latest.alpha_se',
            'agreement_baseline.baseline_alpha', 'agreement_baseline.baseline_se') }} as z,
        cast(null as double) as exact_p_value,
        'agreement' as report_page
    from agreement_with_se as latest
    inner join agreement_baseline
        on latest.project_id = agreement_baseline.project_id and latest.language = agreement_baseline.language
    where latest.week = latest.latest_week and agreement_baseline.n_baseline_weeks = {{ baseline_weeks }}
),

-- annotator drift: gold accuracy, and agreement with the leave-one-out consensus (gold covers a
-- few percent of judgements, so on its own it rarely has the power), since the latest complete
-- week against the annotator's earlier weeks. Agreement with the consensus depends on how many
-- others judged the item (with one other judge it is far lower than with four), and the latest
-- week holds items still being judged, so that test compares like with like: Cochran-Mantel-
-- Haenszel across strata of the item's judgement count (m_u); gold accuracy is a plain
-- two-proportion z test (it does not depend on the other judges).
period_cells as (
    select
        judgement_cells.annotator_id,
        judgement_cells.submitted_week >= as_of.latest_week as is_recent,
        judgement_cells.n_item_judgements,
        {{ judgement_cell_counts(rel='judgement_cells.') }}
    from judgement_cells
    cross join as_of
    group by
        judgement_cells.annotator_id,
        judgement_cells.submitted_week >= as_of.latest_week,
        judgement_cells.n_item_judgements
),

consensus_strata as (
    select
        annotator_id,
        n_item_judgements,
        sum(case when is_recent then n_consensus_agree else 0 end) as recent_x,
        sum(case when is_recent then n_consensus_judgements else 0 end) as recent_n,
        sum(case when is_recent then 0 else n_consensus_agree end) as history_x,
        sum(case when is_recent then 0 else n_consensus_judgements end) as history_n
    from period_cells
    group by annotator_id, n_item_judgements
),

drift_counts as (
    select
        annotator_id,
        'gold_accuracy' as metric,
        sum(case when is_recent then n_gold_correct else 0 end) as recent_x,
        sum(case when is_recent then n_gold_annotations else 0 end) as recent_n,
        sum(case when is_recent then 0 else n_gold_correct end) as history_x,
        sum(case when is_recent then 0 else n_gold_annotations end) as history_n,
        cast(null as double) as cmh_deviation,
        cast(null as double) as cmh_variance
    from period_cells
    group by annotator_id
    union all
    select
        annotator_id,
        'consensus_agreement' as metric,
        sum(recent_x) as recent_x,
        sum(recent_n) as recent_n,
        sum(history_x) as history_x,
        sum(history_n) as history_n,
        sum({{ cmh_deviation('recent_x', 'recent_n', 'history_x', 'history_n') }}) as cmh_deviation,
        sum({{ cmh_variance('recent_x', 'recent_n', 'history_x', 'history_n') }}) as cmh_variance
    from consensus_strata
    group by annotator_id
),

drift_tests as (
    select
        'annotator_drift' as kind,
        cast(null as {{ dbt.type_string() }}) as project_id,
        concat('annotator=', annotator_id) as slice,
        metric,
        {{ safe_divide('recent_x', 'recent_n') }} as observed,
        {{ safe_divide('history_x', 'history_n') }} as baseline,
        case
            when metric = 'consensus_agreement'
                then 'Cochran-Mantel-Haenszel z over judgements per item (one-sided)'
            else 'two-proportion z (one-sided)'
        end as test,
        case
            when metric = 'consensus_agreement' then {{ cmh_z('cmh_deviation', 'cmh_variance') }}
            else {{ two_proportion_z('recent_x', 'recent_n', 'history_x', 'history_n') }}
        end as z,
        cast(null as double) as exact_p_value,
        'annotators' as report_page
    from drift_counts
    where
        recent_n >= {{ var('alert_min_drift_judgements') }}
        and history_n >= {{ var('alert_min_drift_judgements') }}
        and {{ two_proportion_z_is_valid('recent_x', 'recent_n', 'history_x', 'history_n',
            var('alert_min_expected_count')) }}
),

-- model regression: each version against the one just before it, on every item with a truth
consecutive_versions as (
    select
        *,
        max(version_a) over (partition by model_name, version_b, label, truth_source) as previous_version
    from version_comparison
    where truth_source = 'all'
),

model_tests as (
    select
        'model_regression' as kind,
        cast(null as {{ dbt.type_string() }}) as project_id,
        concat(model_name, ' ', version_b, ' vs ', version_a, ', label=', label) as slice,
        case when delta_f1 < 0 or delta_recall >= 0 then 'f1' else 'recall' end as metric,
        case when delta_f1 < 0 or delta_recall >= 0 then f1_b else recall_b end as observed,
        case when delta_f1 < 0 or delta_recall >= 0 then f1_a else recall_a end as baseline,
        'McNemar exact' as test,
        -- only a newer version that is worse on the discordant items is tested
        cast(null as double) as z,
        case when b > c and (delta_f1 < 0 or delta_recall < 0) then p_value end as exact_p_value,
        'model_evaluation' as report_page
    from consecutive_versions
    where version_a = previous_version
),

-- data: the newest raw file of each entity (by file name order: exports are named with a
-- sortable date or sequence, and a broken file's own timestamps are what may be unparsable)
-- against the pooled earlier files of the entity; a one-sided (upper) two-proportion z test of
-- the rejected-row share. An entity with one file is not tested.
file_counts as (
    select
        entity,
        source_file,
        n_rows,
        n_rejected,
        row_number() over (partition by entity order by source_file desc) as newest_rank
    from raw_file_rejects
    where n_rows > 0
),

reject_counts as (
    select
        entity,
        max(case when newest_rank = 1 then source_file end) as newest_file,
        sum(case when newest_rank = 1 then n_rejected else 0 end) as recent_x,
        sum(case when newest_rank = 1 then n_rows else 0 end) as recent_n,
        sum(case when newest_rank = 1 then 0 else n_rejected end) as history_x,
        sum(case when newest_rank = 1 then 0 else n_rows end) as history_n
    from file_counts
    group by entity
),

reject_tests as (
    select
        'data_rejected_share' as kind,
        cast(null as {{ dbt.type_string() }}) as project_id,
        concat('entity=', entity, ', file=', newest_file) as slice,
        'rejected_share' as metric,
        {{ safe_divide('recent_x', 'recent_n') }} as observed,
        {{ safe_divide('history_x', 'history_n') }} as baseline,
        'two-proportion z (one-sided, upper)' as test,
        -- the upper tail: Phi(-z) is the p-value of "the newest file rejects more"
        -({{ two_proportion_z('recent_x', 'recent_n', 'history_x', 'history_n') }}) as z,
        cast(null as double) as exact_p_value,
        'data_health' as report_page
    from reject_counts
    where
        history_n > 0
        and {{ two_proportion_z_is_valid('recent_x', 'recent_n', 'history_x', 'history_n',
            var('alert_min_expected_count')) }}
),

tested_z as (
    select * from agreement_tests
    union all
    select * from drift_tests
    union all
    select * from model_tests
    union all
    select * from reject_tests
),

-- the z tests are one-sided (lower): p = Phi(z)
tested as (
    select
        kind,
        project_id,
        slice,
        metric,
        observed,
        baseline,
        test,
        coalesce(exact_p_value, {{ normal_cdf('z') }}) as p_value,
        report_page
    from tested_z
),

tested_with_q as (
    {{ bh_q_values('tested', 'kind', 'p_value', 'slice') }}
),

tested_alerts as (
    select
        tested_with_q.kind,
        case when tested_with_q.q_value < {{ critical_q }} then 'critical' else 'warning' end as severity,
        tested_with_q.project_id,
        tested_with_q.slice,
        tested_with_q.metric,
        tested_with_q.observed,
        tested_with_q.baseline,
        tested_with_q.test,
        tested_with_q.p_value,
        tested_with_q.q_value,
        tested_with_q.report_page
    from tested_with_q
    where
        (tested_with_q.kind = 'model_regression' and tested_with_q.p_value < {{ var('eval_significance_level') }})
        or (
            tested_with_q.kind not in ('model_regression', 'data_rejected_share')
            and tested_with_q.q_value < {{ fdr }}
        )
        -- a huge file makes a trivial difference significant: the share must also exceed the
        -- history by at least alert_min_rejected_share_gap
        or (
            tested_with_q.kind = 'data_rejected_share'
            and tested_with_q.q_value < {{ fdr }}
            and tested_with_q.observed - tested_with_q.baseline >= {{ var('alert_min_rejected_share_gap') }}
        )
),

-- delivery: the latest forecast misses the due date, or there is no forecast at all (a stalled
-- project: items remain, nothing was completed in the forecast window, so fct_project_daily has
-- no forecast_completion_date and a NULL is_on_track); the latest complete week's SLA breach rate
project_days as (
    select
        project_daily.project_id,
        project_daily.activity_date,
        project_daily.forecast_completion_date,
        project_daily.due_date,
        coalesce(
            project_daily.remaining_items > 0
            and project_daily.due_date is not null
            and (project_daily.is_on_track = false or project_daily.forecast_completion_date is null),
            false
        ) as is_late,
        as_of.as_of_day
    from project_daily
    cross join as_of
),

project_latest as (
    select
        project_id,
        activity_date,
        forecast_completion_date,
        due_date,
        is_late,
        -- the condition has held since the day after the project was last not late (or its first day)
        max(case when not is_late then activity_date end) over (partition by project_id) as last_not_late_day,
        min(activity_date) over (partition by project_id) as first_day,
        as_of_day
    from project_days
),

late_alerts as (
    select
        'delivery_late' as kind,
        case
            when forecast_completion_date is null or as_of_day > due_date then 'critical' else 'warning'
        end as severity,
        project_id,
        'all' as slice,
        'forecast_days_late' as metric,
        -- NULL when there is no forecast (a stalled project)
        cast({{ dbt.datediff('due_date', 'forecast_completion_date', 'day') }} as double) as observed,
        0.0 as baseline,
        'forecast' as test,
        cast(null as double) as p_value,
        cast(null as double) as q_value,
        'throughput' as report_page,
        coalesce({{ add_days('last_not_late_day', 1) }}, first_day) as first_seen_day
    from project_latest
    where activity_date = as_of_day and is_late
),

sla_weekly as (
    select
        project_daily.project_id,
        sum(project_daily.n_sla_breached) as n_breached,
        sum(project_daily.n_sla_measured) as n_measured
    from project_daily
    cross join as_of
    where
        project_daily.activity_date >= as_of.latest_week
        and project_daily.activity_date < {{ add_days('as_of.latest_week', 7) }}
    group by project_daily.project_id
),

sla_alerts as (
    select
        'delivery_sla' as kind,
        'warning' as severity,
        project_id,
        'latest complete week' as slice,
        'sla_breach_rate' as metric,
        {{ safe_divide('n_breached', 'n_measured') }} as observed,
        {{ var('alert_sla_breach_rate_max') }} as baseline,
        'threshold' as test,
        cast(null as double) as p_value,
        cast(null as double) as q_value,
        'throughput' as report_page
    from sla_weekly
    where {{ safe_divide('n_breached', 'n_measured') }} > {{ var('alert_sla_breach_rate_max') }}
),

-- stale exports: an entity whose newest record lags the newest record of any entity by more
-- than freshness_max_age_days (the raw gate's freshness var). The reference is the data's own
-- newest timestamp, never the wall clock, so a rebuild gives the same alerts; one entity alone
-- can never be stale by this rule (the raw gate's wall-clock check covers that case).
newest_exports as (
    select
        'annotations' as entity,
        'submitted_at' as time_column,
        max(submitted_at) as newest_at
    from annotations
    union all
    select
        'predictions' as entity,
        'predicted_at' as time_column,
        max(predicted_at) as newest_at
    from predictions
    union all
    select
        'moderation_decisions' as entity,
        'decided_at' as time_column,
        max(decided_at) as newest_at
    from moderation_decisions
),

export_lags as (
    select
        entity,
        time_column,
        newest_at,
        {{ dbt.datediff('newest_at', 'max(newest_at) over ()', 'second') }} / 86400.0 as lag_days
    from newest_exports
    where newest_at is not null
),

stale_alerts as (
    select
        'data_stale_export' as kind,
        case
            when export_lags.lag_days > 2 * {{ var('freshness_max_age_days') }} then 'critical' else 'warning'
        end as severity,
        cast(null as {{ dbt.type_string() }}) as project_id,
        concat('entity=', export_lags.entity) as slice,
        concat('days_behind_newest_export (', export_lags.time_column, ')') as metric,
        export_lags.lag_days as observed,
        cast({{ var('freshness_max_age_days') }} as double) as baseline,
        'threshold' as test,
        cast(null as double) as p_value,
        cast(null as double) as q_value,
        'data_health' as report_page,
        -- the day the export became stale: its newest day + freshness_max_age_days (capped at
        -- as_of_day, which can be earlier than the newest export of all)
        least(
            {{ add_days('export_lags.newest_at', var('freshness_max_age_days')) }}, as_of.as_of_day
        ) as first_seen_day
    from export_lags
    cross join as_of
    where export_lags.lag_days > {{ var('freshness_max_age_days') }}
),

all_alerts as (
    select
        tested_alerts.*,
        as_of.as_of_day as first_seen_day
    from tested_alerts
    cross join as_of
    union all
    select * from late_alerts
    union all
    select
        sla_alerts.*,
        as_of.latest_week as first_seen_day
    from sla_alerts
    cross join as_of
    union all
    select * from stale_alerts
),

final as (
    select
        {{ alert_key('all_alerts.kind', 'all_alerts.project_id', 'all_alerts.slice', 'all_alerts.metric') }}
            as alert_key,
        all_alerts.kind,
        all_alerts.severity,
        all_alerts.project_id,
        all_alerts.slice,
        all_alerts.metric,
        all_alerts.observed,
        all_alerts.baseline,
        all_alerts.test,
        all_alerts.p_value,
        all_alerts.q_value,
        all_alerts.first_seen_day,
        as_of.as_of_day,
        all_alerts.report_page,
        concat(
            all_alerts.kind, ': ',
            case when all_alerts.project_id is not null then concat(all_alerts.project_id, ' ') else '' end,
            all_alerts.slice, ' ', all_alerts.metric, ' ',
            coalesce({{ number_text('all_alerts.observed', 3) }}, 'n/a'), ' vs ',
            coalesce({{ number_text('all_alerts.baseline', 3) }}, 'n/a'),
            case
                when all_alerts.p_value is not null
                    then concat(
                            ' (',
                            all_alerts.test,
                            ', p=',
                            {{ number_text('all_alerts.p_value', 6) }},
                            ', q=', {{ number_text('all_alerts.q_value', 6) }}, ')'
                        )
                else concat(' (', all_alerts.test, ')')
            end
        ) as alert_message
    from all_alerts
    cross join as_of
)

select * from final
