-- One row per annotator, project and UTC day: the active time, i.e. the length of the union of
-- the day's [started_at, submitted_at] intervals, so overlapping or concurrent tasks count once,
-- and the number of islands (maximal overlapping runs) it is made of. A day is the UTC day of
-- submitted_at; judgements without started_at have no interval.
-- One sweep in start order: with M = the latest end among the earlier intervals, an interval
-- starting after M opens an island and adds its whole length; one starting by M adds only the
-- part past M. The sum is the union's length (one window, no per-island rows).
--
-- Incremental (DuckDB): each row carries the fingerprint of its (annotator, project, day)
-- partition's input (macro partition_fingerprint). A build recomputes only the partitions whose
-- input changed since the last build (a late judgement, a re-export moving submitted_at, a
-- superseded row), replaces them by partition key, and deletes partitions left with no input.
{{ config(
    materialized=incremental_materialization(),
    incremental_strategy='delete+insert',
    unique_key=['annotator_id', 'project_id', 'submitted_date'],
    post_hook=[
        "delete from {{ this }} as done where not exists (select 1 from {{ ref('int_annotations') }} as input"
        ~ " where input.started_at is not null and input.annotator_id = done.annotator_id"
        ~ " and input.project_id = done.project_id and input.submitted_date = done.submitted_date)"
    ] if target.type == 'duckdb' else [],
) }}
with

timed_annotations as (
    select
        annotator_id,
        project_id,
        submitted_date,
        started_at,
        submitted_at
    from {{ ref('int_annotations') }}
    where started_at is not null
),

partition_inputs as (
    select
        annotator_id,
        project_id,
        submitted_date,
        {{ partition_fingerprint(['started_at', 'submitted_at']) }} as input_fingerprint
    from timed_annotations
    group by annotator_id, project_id, submitted_date
),

{%- if is_incremental() %}

    previous_partitions as (
        select distinct
            annotator_id,
            project_id,
            submitted_date,
            input_fingerprint
        from {{ this }}
    ),

    changed_partitions as (
        select partition_inputs.*
        from partition_inputs
        left join previous_partitions
            on
                partition_inputs.annotator_id = previous_partitions.annotator_id
                and partition_inputs.project_id = previous_partitions.project_id
                and partition_inputs.submitted_date = previous_partitions.submitted_date
        where
            previous_partitions.input_fingerprint is null
            or previous_partitions.input_fingerprint != partition_inputs.input_fingerprint
    ),
{%- else %}

    changed_partitions as (
        select * from partition_inputs
    ),
{%- endif %}

annotations as (
    select
        timed_annotations.*,
        changed_partitions.input_fingerprint
    from timed_annotations
    inner join changed_partitions
        on
            timed_annotations.annotator_id = changed_partitions.annotator_id
            and timed_annotations.project_id = changed_partitions.project_id
            and timed_annotations.submitted_date = changed_partitions.submitted_date
),

ordered as (
    select
        annotator_id,
        project_id,
        submitted_date,
        input_fingerprint,
        started_at,
        submitted_at,
        max(submitted_at) over (
            partition by annotator_id, project_id, submitted_date
            order by started_at, submitted_at
            rows between unbounded preceding and 1 preceding
        ) as previous_max_end
    from annotations
),

swept as (
    select
        annotator_id,
        project_id,
        submitted_date,
        input_fingerprint,
        case when previous_max_end is null or started_at > previous_max_end then 1 else 0 end as starts_island,
        case
            when previous_max_end is null or started_at > previous_max_end
                then {{ epoch_seconds_between('started_at', 'submitted_at') }}
            when submitted_at > previous_max_end
                then {{ epoch_seconds_between('previous_max_end', 'submitted_at') }}
            else 0
        end as added_seconds
    from ordered
),

final as (
    select
        annotator_id,
        project_id,
        submitted_date,
        cast(sum(starts_island) as bigint) as n_islands,
        sum(added_seconds) as active_seconds,
        input_fingerprint
    from swept
    group by annotator_id, project_id, submitted_date, input_fingerprint
)

select * from final
