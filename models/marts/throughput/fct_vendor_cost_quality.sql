-- One row per vendor, site, project, UTC week (Monday) and currency (NULL: days without a rate):
-- judgements, active hours, cost at the rate valid on each day, gold and latent accuracy and the
-- cost per correct judgement with the interval carried over from the gold accuracy's Wilson
-- interval. Costs in different currencies are never added: currency is part of the grain.
-- Reads small tables only: the annotator-day volumes and active hours of fct_annotator_daily
-- (the active-time union of int_annotator_active_intervals), the annotator-week judgement cells
-- and the latent confusion cells.
with

annotator_daily as (
    select * from {{ ref('fct_annotator_daily') }}
),

annotators as (
    select * from {{ ref('stg_raw__annotators') }}
),

vendor_rates as (
    select * from {{ ref('stg_raw__vendor_rates') }}
),

judgement_cells as (
    select * from {{ ref('int_annotator_judgement_cells') }}
),

latent_confusion as (
    select * from {{ ref('int_latent_confusion') }}
),

vendor_days as (
    -- days with judgements (skip-only days have no active time); hours are summed over the
    -- annotators with timed work, NULL when none has any (an hourly rate then prices nothing)
    select
        annotators.vendor,
        annotators.site,
        annotator_daily.project_id,
        annotator_daily.activity_date,
        cast(sum(annotator_daily.n_annotations) as bigint) as n_judgements,
        sum(annotator_daily.active_hours) as active_hours
    from annotator_daily
    inner join annotators on annotator_daily.annotator_id = annotators.annotator_id
    where annotators.vendor is not null and annotator_daily.n_annotations > 0
    group by annotators.vendor, annotators.site, annotator_daily.project_id, annotator_daily.activity_date
),

rate_candidates as (
    -- every rate that could apply on the day: same vendor, the site's own or the vendor-wide
    -- one, valid from that day or earlier; the site's own wins, then the latest valid_from
    select
        vendor_days.vendor,
        vendor_days.site,
        vendor_days.project_id,
        vendor_days.activity_date,
        vendor_rates.currency,
        vendor_rates.hourly_rate,
        vendor_rates.per_judgement_rate,
        row_number() over (
            partition by vendor_days.vendor, vendor_days.site, vendor_days.project_id, vendor_days.activity_date
            order by case when vendor_rates.site is null then 1 else 0 end, vendor_rates.valid_from desc
        ) as rate_rank
    from vendor_days
    inner join vendor_rates
        on
            vendor_days.vendor = vendor_rates.vendor
            and (vendor_rates.site is null or vendor_days.site = vendor_rates.site)
            and vendor_days.activity_date >= vendor_rates.valid_from
),

priced_days as (
    select
        vendor_days.vendor,
        vendor_days.site,
        vendor_days.project_id,
        cast({{ dbt.date_trunc('week', 'vendor_days.activity_date') }} as date) as week,
        rate_candidates.currency,
        vendor_days.n_judgements,
        vendor_days.active_hours,
        coalesce(rate_candidates.hourly_rate * vendor_days.active_hours, 0)
        + coalesce(rate_candidates.per_judgement_rate * vendor_days.n_judgements, 0) as day_cost_if_priced,
        rate_candidates.hourly_rate is not null and vendor_days.active_hours is null as lacks_hours
    from vendor_days
    left join rate_candidates
        on
            vendor_days.vendor = rate_candidates.vendor
            and vendor_days.site is not distinct from rate_candidates.site
            and vendor_days.project_id = rate_candidates.project_id
            and vendor_days.activity_date = rate_candidates.activity_date
            and rate_candidates.rate_rank = 1
),

weekly_cost as (
    -- NULL cost when no rate applies (currency NULL) or a priced day lacks the hours it is
    -- billed by: an unknown cost is never shown as 0
    select
        vendor,
        site,
        project_id,
        week,
        currency,
        cast(sum(n_judgements) as bigint) as n_judgements,
        sum(active_hours) as active_hours,
        case
            when currency is not null and not max(case when lacks_hours then 1 else 0 end) = 1
                then sum(day_cost_if_priced)
        end as cost
    from priced_days
    group by vendor, site, project_id, week, currency
),

weekly_gold as (
    select
        annotators.vendor,
        annotators.site,
        judgement_cells.project_id,
        judgement_cells.submitted_week as week,
        {{ judgement_cell_counts(parts=['gold'], rel='judgement_cells.') }}
    from judgement_cells
    inner join annotators on judgement_cells.annotator_id = annotators.annotator_id
    group by annotators.vendor, annotators.site, judgement_cells.project_id, judgement_cells.submitted_week
),

latent_matches as (
    -- expected judgements equal to the latent truth over the whole period (the latent model
    -- has no weekly cells): latent_match_sums, as fct_annotator_quality.latent_accuracy
    select
        annotators.vendor,
        annotators.site,
        latent_confusion.project_id,
        {{ latent_match_sums(rel='latent_confusion.') }}
    from latent_confusion
    inner join annotators on latent_confusion.annotator_id = annotators.annotator_id
    group by annotators.vendor, annotators.site, latent_confusion.project_id
),

graded as (
    select
        weekly_cost.*,
        coalesce(weekly_gold.n_gold_annotations, 0) as n_gold_judgements,
        coalesce(weekly_gold.n_gold_correct, 0) as n_gold_correct,
        {{ safe_divide('weekly_gold.n_gold_correct', 'weekly_gold.n_gold_annotations') }} as gold_accuracy,
        {{ wilson_interval('weekly_gold.n_gold_correct', 'weekly_gold.n_gold_annotations', 'lower') }}
            as gold_accuracy_ci_low,
        {{ wilson_interval('weekly_gold.n_gold_correct', 'weekly_gold.n_gold_annotations', 'upper') }}
            as gold_accuracy_ci_high,
        {{ safe_divide('latent_matches.expected_matches', 'latent_matches.n_latent_judgements') }}
            as latent_accuracy
    from weekly_cost
    left join weekly_gold
        on
            weekly_cost.vendor = weekly_gold.vendor
            and weekly_cost.site is not distinct from weekly_gold.site
            and weekly_cost.project_id = weekly_gold.project_id
            and weekly_cost.week = weekly_gold.week
    left join latent_matches
        on
            weekly_cost.vendor = latent_matches.vendor
            and weekly_cost.site is not distinct from latent_matches.site
            and weekly_cost.project_id = latent_matches.project_id
),

final as (
    select
        vendor,
        site,
        project_id,
        week,
        currency,
        n_judgements,
        active_hours,
        cost,
        {{ safe_divide('cost', 'n_judgements') }} as cost_per_judgement,
        n_gold_judgements,
        n_gold_correct,
        gold_accuracy,
        gold_accuracy_ci_low,
        gold_accuracy_ci_high,
        latent_accuracy,
        {{ cost_per_correct('cost', 'n_judgements', 'gold_accuracy') }} as cost_per_correct_judgement,
        -- the Wilson bounds computed at accuracy 1 (or 0) can land one rounding step on the wrong
        -- side of it: the point estimate bounds them, so the interval always holds the estimate
        {{ cost_per_correct('cost', 'n_judgements', 'greatest(gold_accuracy, gold_accuracy_ci_high)') }}
            as cost_per_correct_ci_low,
        {{ cost_per_correct('cost', 'n_judgements', 'least(gold_accuracy, gold_accuracy_ci_low)') }}
            as cost_per_correct_ci_high,
        {{ cost_per_correct('cost', 'n_judgements', 'latent_accuracy') }} as cost_per_latent_correct_judgement
    from graded
)

select * from final
